/**
 * Throwaway redis-server processes for dev and tests: no persistence, a temp dir of their own, bound to
 * 127.0.0.1 on a free port. The handle can stop Redis and start it again on the SAME port, so tests can
 * check what clients do while Redis is down and after it comes back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** True between a successful start and the next stop. */
  readonly running: boolean;
  /** Shut Redis down (SIGTERM, SIGKILL after 5 s) and wait for the process to exit. Idempotent. */
  stop(): Promise<void>;
  /** Start again after stop(), on the same port, with an empty dataset. No-op if running. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
}

export interface StartRedisServerOptions {
  /** Default: a free port picked by the OS. */
  port?: number;
  /** How long to wait for the first PONG. Default 10 s. */
  timeoutMs?: number;
}

const HOST = "127.0.0.1";

/** A port that was free a moment ago (the OS picks it for a throwaway listener on port 0). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, HOST);
  await once(probe, "listening");
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startRedisServer(opts: StartRedisServerOptions = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  // If the test process dies without stop(), don't leave Redis running behind it.
  const killOnExit = () => child?.kill("SIGKILL");

  async function start(): Promise<void> {
    if (child) return;
    // Otherwise our PING would get an answer from whoever already owns the port.
    if (await ping(port)) throw new Error(`Port ${port} already answers PING: another Redis is running there`);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "fresco-redis-"));
    const bin = process.env.REDIS_SERVER_BIN || "redis-server";
    const args = ["--port", String(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", dir];
    const proc = spawn(bin, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    process.on("exit", killOnExit);

    let output = ""; // Redis logs to stdout; keep the tail for error messages.
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    let failure: Error | undefined;
    proc.once("error", (err: NodeJS.ErrnoException) => {
      failure =
        err.code === "ENOENT"
          ? new Error(
              `${bin} not found. Install Redis: Debian/Ubuntu \`sudo apt-get install redis-server\`, macOS \`brew install redis\` (or point REDIS_SERVER_BIN at the binary).`,
            )
          : err;
    });
    proc.once("exit", (code, signal) => {
      failure ??= new Error(`redis-server exited (${signal ?? `code ${code}`}) before answering PING:\n${output}`);
    });

    const deadline = Date.now() + timeoutMs;
    while (!(await ping(port))) {
      if (!failure && Date.now() > deadline) failure = new Error(`redis-server did not answer PING within ${timeoutMs} ms:\n${output}`);
      if (failure) {
        await stop();
        throw failure;
      }
      await new Promise((resolve) => setTimeout(resolve, 20)); // poll interval, not a fixed wait
    }
  }

  async function stop(): Promise<void> {
    const proc = child;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      const forceKill = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(forceKill);
    }
    proc.stdout?.destroy();
    proc.stderr?.destroy();
    process.off("exit", killOnExit);
    child = undefined;
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    dir = undefined;
  }

  await start();
  return {
    url: `redis://${HOST}:${port}`,
    port,
    get running() {
      return child !== undefined;
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
  };
}

/** One PING over a fresh socket: true only for +PONG (a Redis still loading answers -LOADING). */
function ping(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let reply = "";
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("connect", () => socket.write("*1\r\n$4\r\nPING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) finish(reply.startsWith("+PONG"));
    });
    socket.on("error", () => finish(false));
  });
}
