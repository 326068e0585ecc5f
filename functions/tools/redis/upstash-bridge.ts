/**
 * Local stand-in for Upstash's Redis REST API, in front of a real redis-server (dev and tests only:
 * bearer-token auth, no TLS). It speaks what @upstash/redis 1.x actually sends and expects:
 *
 *   POST /            body ["SET","k","v"]             -> 200 {"result": ...} | 400 {"error": "<Redis error>"}
 *   POST /pipeline    body [["SET","k","v"],["GET","k"]] -> 200 [{"result": ...} | {"error": ...}, ...]
 *   POST /multi-exec  same body, run inside MULTI/EXEC   -> 200 [{"result": ...} | {"error": ...}, ...]
 *
 * Auth is `Authorization: Bearer <token>` (or Upstash's `?_token=`). With `Upstash-Encoding: base64`, which
 * the client sends by default, every string in a result is base64 of Redis's raw bytes; numbers and nulls
 * are left alone and error texts are never encoded. Redis being down gives a fast 503, never a hang.
 *
 * A web page open beside `npm start` must not be able to wipe or jam it, so the bridge runs only the
 * commands in ALLOWED_COMMANDS (a body holding any other is refused whole: 400, nothing of it runs) and
 * refuses with 403 any request that carries an Origin header or names a Host other than its own loopback
 * address. It never answers with CORS headers.
 *
 * Run directly:
 *   REDIS_URL=redis://127.0.0.1:6379 UPSTASH_REDIS_REST_TOKEN=dev UPSTASH_BRIDGE_PORT=8079 \
 *     npx tsx tools/redis/upstash-bridge.ts
 */
import http from "node:http";
import { once } from "node:events";
import { timingSafeEqual } from "node:crypto";
import { Command, Redis, ReplyError } from "ioredis";
import { ScriptFlags, type ScriptSeen } from "./script-flags";

export interface UpstashBridgeOptions {
  redisUrl: string;
  token: string;
  /** 0 or omitted: let the OS pick a free port. */
  port?: number;
  /** Default 127.0.0.1. Requests must still name a loopback Host (127.0.0.1, localhost or [::1]). */
  host?: string;
  /** Connection lost / regained notices. Default: silent (errors still reach callers as HTTP 503s). */
  log?: (message: string) => void;
}

export interface UpstashBridge {
  /** Base URL to hand to `new Redis({ url, token })`, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  /** Every Lua script clients sent, with its flags and how it ran (script-flags.ts). */
  scripts(): ScriptSeen[];
  close(): Promise<void>;
}

/** A request may not be bigger than this; Redis itself allows 512 MB values, a dev bridge does not need to. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Upper bound on any one command, so a wedged connection answers 503 instead of hanging the request. */
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * The only commands the bridge runs, by name in upper case; a "NAME SUB" entry allows just that subcommand.
 * Chosen as: what Fresco sends through @upstash/redis (src, tools, bench and test: GET, SET NX/PX/EX, MGET,
 * INCR, PING, EVALSHA with its EVAL fallback, SCAN + DEL as the benchmark's baseline; ZREVRANGE and
 * SCRIPT EXISTS from the bridge's own tests), plus the plain non-blocking string, key, hash, set,
 * sorted-set and list commands @upstash/redis offers, for the platform's next domains. Left out on
 * purpose: whatever administers or wipes the server (FLUSHALL, CONFIG, SHUTDOWN, DEBUG...), blocks the
 * one connection every request shares (BLPOP, XREAD, WAIT...), changes that connection's state (MULTI,
 * SELECT, SUBSCRIBE...: /multi-exec is the way to a transaction), and KEYS. A Lua script run by EVAL or
 * EVALSHA can still call any command from inside Redis: accepted, since the scripts are Fresco's own and
 * the token decides who may send one.
 */
export const ALLOWED_COMMANDS: ReadonlySet<string> = new Set([
  // Strings
  "GET",
  "SET",
  "GETDEL",
  "GETEX",
  "GETSET",
  "GETRANGE",
  "SETRANGE",
  "SETNX",
  "SETEX",
  "PSETEX",
  "APPEND",
  "STRLEN",
  "MGET",
  "MSET",
  "MSETNX",
  "INCR",
  "INCRBY",
  "INCRBYFLOAT",
  "DECR",
  "DECRBY",
  // Keys
  "DEL",
  "UNLINK",
  "EXISTS",
  "TYPE",
  "EXPIRE",
  "PEXPIRE",
  "TTL",
  "PTTL",
  "SCAN",
  "DBSIZE",
  // Hashes (the field-expiry ones and HGETDEL/HGETEX/HSETEX need Redis 7.4 / 8.0, as on Upstash)
  "HSET",
  "HSETNX",
  "HMSET",
  "HGET",
  "HMGET",
  "HGETALL",
  "HDEL",
  "HEXISTS",
  "HLEN",
  "HKEYS",
  "HVALS",
  "HSTRLEN",
  "HINCRBY",
  "HINCRBYFLOAT",
  "HRANDFIELD",
  "HSCAN",
  "HGETDEL",
  "HGETEX",
  "HSETEX",
  "HEXPIRE",
  "HPEXPIRE",
  "HEXPIREAT",
  "HPEXPIREAT",
  "HEXPIRETIME",
  "HPEXPIRETIME",
  "HTTL",
  "HPTTL",
  "HPERSIST",
  // Sets
  "SADD",
  "SREM",
  "SMEMBERS",
  "SISMEMBER",
  "SMISMEMBER",
  "SCARD",
  "SPOP",
  "SRANDMEMBER",
  "SMOVE",
  "SSCAN",
  "SINTER",
  "SINTERCARD",
  "SINTERSTORE",
  "SUNION",
  "SUNIONSTORE",
  "SDIFF",
  "SDIFFSTORE",
  // Sorted sets
  "ZADD",
  "ZREM",
  "ZSCORE",
  "ZMSCORE",
  "ZINCRBY",
  "ZCARD",
  "ZCOUNT",
  "ZLEXCOUNT",
  "ZRANK",
  "ZREVRANK",
  "ZRANGE",
  "ZREVRANGE",
  "ZPOPMIN",
  "ZPOPMAX",
  "ZSCAN",
  "ZREMRANGEBYLEX",
  "ZREMRANGEBYRANK",
  "ZREMRANGEBYSCORE",
  "ZUNION",
  "ZUNIONSTORE",
  "ZINTERSTORE",
  "ZDIFFSTORE",
  // Lists (none of the blocking B* forms)
  "LPUSH",
  "LPUSHX",
  "RPUSH",
  "RPUSHX",
  "LPOP",
  "RPOP",
  "LMPOP",
  "LMOVE",
  "LRANGE",
  "LINDEX",
  "LINSERT",
  "LLEN",
  "LPOS",
  "LREM",
  "LSET",
  "LTRIM",
  // Scripts
  "EVAL",
  "EVALSHA",
  "EVAL_RO",
  "EVALSHA_RO",
  "SCRIPT LOAD",
  "SCRIPT EXISTS",
  // Connection and server, read-only
  "PING",
  "ECHO",
  "TIME",
]);

/** Commands allowed only for some subcommands (SCRIPT): their name is checked together with the next word. */
const PARTLY_ALLOWED = new Set([...ALLOWED_COMMANDS].filter((c) => c.includes(" ")).map((c) => c.split(" ")[0]!));

/** An error answered as-is: `status` with body {"error": message}. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * ioredis reshapes some replies by command name (HGETALL becomes an object). The bridge must pass Redis's
 * reply through untouched, and with no reply encoding ioredis hands back raw Buffers, so base64 sees bytes.
 */
class RawCommand extends Command {
  transformReply(result: Buffer | Buffer[]): Buffer | Buffer[] {
    return result;
  }
}

type Entry = { result: unknown } | { error: string };

export async function startUpstashBridge(opts: UpstashBridgeOptions): Promise<UpstashBridge> {
  if (!opts.token) throw new Error("startUpstashBridge: token must not be empty");
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const expectedToken = Buffer.from(opts.token);

  const redis = new Redis(opts.redisUrl, {
    // No offline queue and no per-request retries: while Redis is down a command fails at once (503)
    // instead of waiting in a queue for a reconnect that may never come.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Never silently replay a command whose outcome is unknown after a dropped connection (INCR twice...).
    autoResendUnfulfilledCommands: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Keep trying forever, but at most a second apart, so a restarted redis-server is picked up quickly.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  let connected = false;
  // Without an 'error' listener ioredis prints every failed reconnect attempt; report transitions only.
  redis.on("error", (err: Error) => {
    if (connected) log(`lost Redis at ${opts.redisUrl}: ${err.message}`);
    connected = false;
  });
  redis.on("ready", () => {
    connected = true;
    log(`connected to Redis at ${opts.redisUrl}`);
  });
  // Wait for the first connection so early requests don't fail spuriously; if Redis is down, start anyway.
  await once(redis, "ready").catch(() => {});

  function sendRaw(args: string[]): Promise<unknown> {
    const [name, ...rest] = args;
    return redis.sendCommand(new RawCommand(name ?? "", rest)) as Promise<unknown>;
  }

  // Upstash's script flags, which Redis 7.0 does not know (script-flags.ts).
  const scriptFlags = new ScriptFlags();
  function send(args: string[], inTransaction = false): Promise<unknown> {
    const prepared = scriptFlags.prepare(args, inTransaction);
    const sent = sendRaw(prepared.args);
    return prepared.reply === undefined ? sent : sent.then(() => Buffer.from(prepared.reply!));
  }

  /** A Redis error reply becomes that command's {error}; anything else (connection gone, timeout) is a 503. */
  function errorEntry(err: unknown): { error: string } {
    if (err instanceof ReplyError) return { error: (err as Error).message };
    const message = err instanceof Error ? err.message : String(err);
    throw new HttpError(503, `ERR Redis unavailable at ${opts.redisUrl}: ${message}`);
  }

  async function runSingle(command: string[], base64: boolean): Promise<[number, unknown]> {
    try {
      return [200, { result: encodeResult(await send(command), base64) }];
    } catch (err) {
      return [400, errorEntry(err)];
    }
  }

  async function runPipeline(commands: string[][], base64: boolean): Promise<[number, unknown]> {
    // Not atomic (like Upstash): each command runs and answers on its own, errors included.
    const settled = await Promise.allSettled(commands.map((c) => send(c)));
    const entries = settled.map((s): Entry =>
      s.status === "fulfilled" ? { result: encodeResult(s.value, base64) } : errorEntry(s.reason),
    );
    return [200, entries];
  }

  async function runMultiExec(commands: string[][], base64: boolean): Promise<[number, unknown]> {
    // MULTI, the commands and EXEC are all written in this same tick on the shared connection, so nothing
    // from another request can land in between, and the connection is out of MULTI state once EXEC is
    // read. (If the connection drops half way, Redis throws the transaction away with the connection.)
    const settled = await Promise.allSettled([sendRaw(["MULTI"]), ...commands.map((c) => send(c, true)), sendRaw(["EXEC"])]);
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    const replyErrors = failures.map((f) => errorEntry(f.reason)); // throws the 503 if Redis went away
    const exec = settled[settled.length - 1]!;
    if (exec.status === "rejected") {
      // EXECABORT: a command was refused while queueing (unknown command, wrong arity...) and nothing ran.
      // That command's own error says what is wrong; EXEC's only says "previous errors".
      return [400, replyErrors[0]];
    }
    if (!Array.isArray(exec.value)) return [400, { error: "ERR transaction aborted" }];
    // Errors raised while EXEC ran (e.g. WRONGTYPE) are elements of EXEC's reply; the rest still ran.
    const entries = exec.value.map((v: unknown): Entry =>
      v instanceof ReplyError ? { error: (v as Error).message } : { result: encodeResult(v, base64) },
    );
    return [200, entries];
  }

  function authorized(req: http.IncomingMessage, url: URL): boolean {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
    const given = Buffer.from(bearer ?? url.searchParams.get("_token") ?? "");
    return given.length === expectedToken.length && timingSafeEqual(given, expectedToken);
  }

  async function handle(req: http.IncomingMessage): Promise<[number, unknown]> {
    refuseBrowsers(req);
    const url = new URL(req.url ?? "/", "http://bridge");
    if (!authorized(req, url)) throw new HttpError(401, "Unauthorized");
    const run = { "/": "single", "/pipeline": "pipeline", "/multi-exec": "multi" }[url.pathname];
    if (!run) throw new HttpError(404, `Not found: ${url.pathname} (use /, /pipeline or /multi-exec)`);
    if (req.method !== "POST") throw new HttpError(405, `Method ${req.method} not allowed, use POST`);

    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      throw new HttpError(400, `ERR request body is not valid JSON: ${(err as Error).message}`);
    }
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    if (run === "single") return runSingle(parseCommand(body), base64);
    if (!Array.isArray(body) || body.length === 0) {
      throw new HttpError(400, 'ERR body must be a non-empty JSON array of commands, e.g. [["SET","k","v"],["GET","k"]]');
    }
    const commands = body.map(parseCommand);
    return run === "pipeline" ? runPipeline(commands, base64) : runMultiExec(commands, base64);
  }

  // Node answers a request without Host with a bare 400 of its own; let refuseBrowsers answer it instead.
  const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    handle(req).then(
      ([status, body]) => sendJson(res, status, body),
      (err: unknown) => {
        if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message });
        sendJson(res, 500, { error: `ERR bridge failure: ${err instanceof Error ? err.message : String(err)}` });
      },
    );
  });

  try {
    server.listen(opts.port ?? 0, host);
    await once(server, "listening");
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    scripts: () => scriptFlags.report(),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Clients keep connections alive (@upstash/redis fetches with keepalive); don't wait them out.
        server.closeAllConnections();
        redis.disconnect();
      });
      return closing;
    },
  };
}

/**
 * Web pages are refused before anything else. Browsers send Origin on every cross-origin POST (preflight
 * OPTIONS included) and Node clients never do. A page on a DNS-rebound name (evil.example resolving to
 * 127.0.0.1) becomes same-origin with the bridge, but its requests still carry that name as their Host.
 */
function refuseBrowsers(req: http.IncomingMessage): void {
  if (req.headers.origin !== undefined) {
    throw new HttpError(403, `Forbidden: the local Upstash bridge refuses requests from web pages (Origin ${preview(req.headers.origin)})`);
  }
  const port = req.socket.localPort;
  const host = (req.headers.host ?? "").toLowerCase();
  if (![`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host)) {
    throw new HttpError(
      403,
      `Forbidden: the Host header must be 127.0.0.1:${port}, localhost:${port} or [::1]:${port} (got ${preview(req.headers.host)})`,
    );
  }
}

/** One command: a non-empty array of strings, numbers or booleans, sent to Redis as strings. */
function parseCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, `ERR a command must be a non-empty JSON array, e.g. ["SET","k","v"]; got ${preview(value)}`);
  }
  const args = value.map((arg: unknown) => {
    if (typeof arg === "string") return arg;
    // @upstash/redis sends numbers and booleans as JSON numbers/booleans; Redis wants their text.
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new HttpError(400, `ERR command arguments must be strings, numbers or booleans; got ${preview(arg)}`);
  });
  const name = commandName(args);
  if (!ALLOWED_COMMANDS.has(name)) throw new HttpError(400, `ERR ${name} is not allowed by the local Upstash bridge`);
  return args;
}

/**
 * The name a command is allowed or refused by: "FLUSHALL", or "SCRIPT FLUSH" for a partly allowed one.
 * Upper case is ASCII-only, as Redis compares names: JavaScript's toUpperCase also folds some non-ASCII
 * letters ("ſ" to "S"), and the name checked must be the one Redis sees.
 */
function commandName(args: string[]): string {
  const upper = (word: string) => word.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  const name = upper(args[0]!);
  return PARTLY_ALLOWED.has(name) && args.length > 1 ? `${name} ${upper(args[1]!)}` : name;
}

/**
 * One command's reply as JSON. In base64 mode a whole reply of "OK" stays "OK", as Upstash sends it (the
 * client keeps a top-level "OK" as-is rather than base64-decoding it). Strings inside arrays are always
 * encoded: the client base64-decodes array elements with no "OK" exception.
 */
function encodeResult(value: unknown, base64: boolean): unknown {
  if (base64 && Buffer.isBuffer(value) && value.equals(OK)) return "OK";
  return encodeValue(value, base64);
}
const OK = Buffer.from("OK");

function encodeValue(value: unknown, base64: boolean): unknown {
  if (Array.isArray(value)) return value.map((v: unknown) => encodeValue(v, base64));
  // An error nested in an array (a Lua table holding an error reply) is shown as its text.
  const bytes = Buffer.isBuffer(value)
    ? value
    : typeof value === "string"
      ? Buffer.from(value)
      : value instanceof Error
        ? Buffer.from(value.message)
        : undefined;
  if (bytes) return base64 ? bytes.toString("base64") : bytes.toString("utf8");
  return value; // integer or null
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `ERR request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

if (require.main === module) {
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!token) {
    console.error("Set UPSTASH_REDIS_REST_TOKEN (any string; clients must send it as their token).");
    process.exit(1);
  }
  startUpstashBridge({
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    token,
    port: Number(process.env.UPSTASH_BRIDGE_PORT ?? 0),
    log: (message) => console.log(`[upstash-bridge] ${message}`),
  }).then(
    (bridge) => {
      console.log(`[upstash-bridge] UPSTASH_REDIS_REST_URL=${bridge.url}`);
      const stop = () => void bridge.close().then(() => process.exit(0));
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    },
    (err: unknown) => {
      console.error("[upstash-bridge] failed to start:", err);
      process.exit(1);
    },
  );
}
