/**
 * Each cache suite runs its own redis-server and Upstash bridge, with a counting proxy in
 * front of the bridge: every HTTP request the cache makes is recorded with its commands (and
 * the label of the client that sent it), the proxy can be slowed down to make Redis miss the
 * cache's deadline, and it can fail chosen requests of one client only.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import { once } from "node:events";
import path from "node:path";
import { Redis, type RedisConfigNodejs } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { Cache, type CacheDeps } from "../../src/cache/cache";
import { startRedisServer, type RedisServer } from "../../tools/redis/redis-server";
import { startUpstashBridge, type UpstashBridge } from "../../tools/redis/upstash-bridge";
import { db } from "../helpers/firestore";

export interface Recorded {
  path: string;
  commands: string[][];
  /** The label of the client that sent it (see client()), if it has one. */
  client?: string;
}

/** Which proxied requests to fail, and how. */
export interface FailRule {
  /** Only requests of the client with this label (client(options, label), newCache(deps, label)). */
  client?: string;
  /** Only requests holding a command this accepts (every request when absent). */
  match?: (command: string[]) => boolean;
  /** Fail this many matching requests, then let them through again (no limit when absent). */
  times?: number;
  /** "refuse" (default): answered 500 and never forwarded, so Redis never runs it.
   *  "lose-reply": forwarded (Redis runs it), then answered 500 as if the reply was lost. */
  mode?: "refuse" | "lose-reply";
  /** Runs before the failure is answered (the failing request waits for it); n counts from 1. */
  onFail?: (n: number) => Promise<void> | void;
}

export interface FailHandle {
  /** How many requests this rule failed so far. */
  failures(): number;
  /** Lets every request through again. */
  stop(): void;
}

export interface CacheHarness {
  server: RedisServer;
  bridge: UpstashBridge;
  /** A plain TCP client on the same Redis, to look behind the cache's back. */
  direct: IORedis;
  /** Requests that went through the proxy since the last reset(), oldest first. */
  requests: Recorded[];
  /** Every command name seen by the proxy since the suite started (upper case). */
  commandNames: Set<string>;
  reset(): void;
  /** Drops every fail rule (after each test of a suite, so a failed test cannot leave one behind). */
  stopFailing(): void;
  /** Delay added to every proxied request (to push Redis past the cache's deadline). */
  setDelay(ms: number): void;
  /** Fails the requests `rule` picks until it has failed `times` of them or stop() is called. */
  failRequests(rule: FailRule): FailHandle;
  /** An @upstash/redis client configured as in production, but through the proxy and with no
   *  retries; `label` names its requests (for Recorded.client and FailRule.client). */
  client(options?: Partial<RedisConfigNodejs>, label?: string): Redis;
  newCache(deps?: Partial<CacheDeps>, label?: string): Cache;
  close(): Promise<void>;
}

/** The Redis deadline of the harness's caches (production's is redisTimeoutMs, 150 ms). */
export const testDeadlineMs = 2_000;

export async function startCacheHarness(): Promise<CacheHarness> {
  const token = `cache-test-${randomUUID()}`;
  const server = await startRedisServer();
  const bridge = await startUpstashBridge({ redisUrl: server.url, token });
  const direct = new IORedis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  direct.on("error", () => {}); // it lives through Redis being stopped
  const requests: Recorded[] = [];
  const commandNames = new Set<string>();
  let delayMs = 0;
  const rules: Array<{ rule: FailRule; failed: number; stopped: boolean }> = [];

  const proxy = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      // A labelled client's URL ends in /client/<label>: the label is taken off before forwarding.
      const labelled = /^\/client\/([^/]+)(\/.*)?$/.exec(req.url ?? "/");
      const client = labelled ? decodeURIComponent(labelled[1]!) : undefined;
      const path = labelled ? (labelled[2] ?? "/") : (req.url ?? "/");
      const parsed = JSON.parse(body.toString("utf8")) as unknown[];
      const sent = (path.startsWith("/pipeline") || path.startsWith("/multi-exec") ? parsed : [parsed]) as string[][];
      // The client sends names in lower case; upper case reads like Redis's docs.
      const commands = sent.map(([name, ...args]) => [String(name).toUpperCase(), ...args.map(String)]);
      requests.push({ path, commands, ...(client === undefined ? {} : { client }) });
      for (const command of commands) commandNames.add(command[0]!);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const failing = rules.find(
        (r) =>
          !r.stopped &&
          (r.rule.times === undefined || r.failed < r.rule.times) &&
          (r.rule.client === undefined || r.rule.client === client) &&
          (r.rule.match === undefined || commands.some(r.rule.match)),
      );
      if (failing) failing.failed += 1;
      const headers: Record<string, string> = { "content-type": "application/json" };
      for (const name of ["authorization", "upstash-encoding"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      try {
        let status = 500;
        let answer = Buffer.from(JSON.stringify({ error: "ERR test proxy: injected failure" }));
        if (!failing || failing.rule.mode === "lose-reply") {
          const upstream = await fetch(bridge.url + path, { method: "POST", headers, body });
          const upstreamBody = Buffer.from(await upstream.arrayBuffer());
          if (!failing) [status, answer] = [upstream.status, upstreamBody];
        }
        if (failing) await failing.rule.onFail?.(failing.failed);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(answer);
      } catch (error) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `proxy: ${String(error)}` }));
      }
    })();
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

  const client = (options: Partial<RedisConfigNodejs> = {}, label?: string) =>
    new Redis({
      url: label === undefined ? proxyUrl : `${proxyUrl}/client/${encodeURIComponent(label)}`,
      token,
      enableAutoPipelining: true,
      retry: false,
      ...options,
    });
  // The first fetch of a process loads undici and opens the connections: not what a test's
  // 150 ms deadline should be measuring.
  await client().ping();
  return {
    server,
    bridge,
    direct,
    requests,
    commandNames,
    reset: () => void requests.splice(0),
    setDelay: (ms) => void (delayMs = ms),
    failRequests(rule) {
      const entry = { rule, failed: 0, stopped: false };
      rules.push(entry);
      return { failures: () => entry.failed, stop: () => void (entry.stopped = true) };
    },
    stopFailing: () => rules.forEach((r) => (r.stopped = true)),
    client,
    // A deadline for a loaded test machine (three emulator lanes share two cores): a test of
    // counts must not fail open because a request took 200 ms; tests of the deadline set theirs.
    // Its client already answered (the ping below): no first-call deadline.
    newCache: (deps = {}, label) =>
      new Cache({ redis: client({}, label), db: db(), timeoutMs: testDeadlineMs, firstCallTimeoutMs: 0, ...deps }),
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      direct.disconnect();
      await bridge.close();
      await server.stop();
    },
  };
}

/** Starts the harness before a suite and closes it after; `use` receives it. */
export function cacheHarnessForSuite(use: (harness: CacheHarness) => void): void {
  let started: CacheHarness | undefined;
  beforeAll(async () => {
    started = await startCacheHarness();
    use(started);
  });
  afterEach(() => started?.stopFailing());
  afterAll(async () => {
    await started?.close();
  });
}

/** A promise with its resolve function outside, to hold a loader open. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Upstash bridge in a process of its own, on `redisUrl`: for load tests, so its HTTP work
 *  runs beside the test's instead of on the test's one thread. */
export async function startBridgeProcess(redisUrl: string): Promise<{ url: string; token: string; close(): Promise<void> }> {
  const token = `cache-test-${randomUUID()}`;
  const script = path.join(__dirname, "../../tools/redis/upstash-bridge.ts");
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: path.join(__dirname, "../.."),
    env: { ...process.env, REDIS_URL: redisUrl, UPSTASH_REDIS_REST_TOKEN: token, UPSTASH_BRIDGE_PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit");
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const found = /UPSTASH_REDIS_REST_URL=(\S+)/.exec(output);
      if (found) resolve(found[1]!);
    });
    void exited.then(() => reject(new Error(`the bridge process exited before it listened: ${output}`)));
  });
  return {
    url,
    token,
    async close() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
