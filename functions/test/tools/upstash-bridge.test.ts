/**
 * The local Upstash REST bridge, driven by @upstash/redis itself and by raw fetch for the wire format.
 * Each suite run starts its own redis-server (tools/redis/redis-server.ts) and bridge; no emulator needed.
 */
import { spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { Redis, errors } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { freePort, startRedisServer, type RedisServer } from "../../tools/redis/redis-server";
import { ALLOWED_COMMANDS, startUpstashBridge, type UpstashBridge } from "../../tools/redis/upstash-bridge";

const TOKEN = `test-token-${randomUUID()}`;
const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

let server: RedisServer;
let bridge: UpstashBridge;
/** A plain TCP client on the same Redis, to check state behind the bridge's back. */
let direct: IORedis;

beforeAll(async () => {
  server = await startRedisServer();
  bridge = await startUpstashBridge({ redisUrl: server.url, token: TOKEN });
  direct = new IORedis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  direct.on("error", () => {}); // it lives through the stop/restart test
});

afterAll(async () => {
  direct?.disconnect();
  await bridge?.close();
  await server?.stop();
});

async function postText(urlPath: string, text: string, headers: Record<string, string> = {}) {
  const res = await fetch(bridge.url + urlPath, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as unknown };
}
const post = (urlPath: string, value: unknown, headers: Record<string, string> = {}) => postText(urlPath, JSON.stringify(value), headers);
const BASE64 = { "upstash-encoding": "base64" };
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

/**
 * One request over plain http.request, which (unlike fetch) can set the Host header. `host: ""` sends
 * none at all; omitted, Node sends the bridge's own.
 */
function rawRequest(opts: { method?: string; path?: string; host?: string; headers?: Record<string, string>; body?: unknown }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }>((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, ...opts.headers };
    if (opts.host) headers.host = opts.host;
    const req = http.request(
      bridge.url + (opts.path ?? "/"),
      { method: opts.method ?? "POST", headers, setHost: opts.host !== "" },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          try {
            resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) });
          } catch {
            reject(new Error(`HTTP ${res.statusCode} with a body that is not JSON: ${text}`));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}
const accessControlHeaders = (headers: http.IncomingHttpHeaders) =>
  Object.keys(headers).filter((name) => name.startsWith("access-control-"));

/** The text Redis itself gives for a command's error, straight over TCP. */
async function redisErrorText(...args: string[]): Promise<string> {
  const [name, ...rest] = args;
  const err: unknown = await direct.call(name!, ...rest).then(
    () => new Error("expected the command to fail"),
    (e: unknown) => e,
  );
  return (err as Error).message;
}

async function eventually<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

// @upstash/redis 1.39 turns auto-pipelining ON by default (every command goes through /pipeline);
// only enableAutoPipelining: false sends single commands to POST /.
const clientKinds = {
  "auto-pipelining": (token = TOKEN) => new Redis({ url: bridge.url, token, enableAutoPipelining: true }),
  "default options": (token = TOKEN) => new Redis({ url: bridge.url, token }),
  "no auto-pipelining": (token = TOKEN) => new Redis({ url: bridge.url, token, enableAutoPipelining: false }),
};

describe.each(Object.keys(clientKinds) as (keyof typeof clientKinds)[])("@upstash/redis client (%s)", (kind) => {
  let redis: Redis;
  const k = (name: string) => `${kind}:${name}`;
  beforeAll(() => {
    redis = clientKinds[kind]();
  });

  it("strings: set/get/incr/expire with unicode and JSON values", async () => {
    expect(await redis.set(k("s"), "hello")).toBe("OK");
    expect(await redis.get(k("s"))).toBe("hello");
    const unicode = "héllo wörld ✓ 日本語 🎉";
    await redis.set(k("u"), unicode);
    expect(await redis.get(k("u"))).toBe(unicode);
    expect(await direct.get(k("u"))).toBe(unicode); // stored as UTF-8, not as base64 or escapes

    // The client JSON-serializes objects on the way in and parses them on the way out.
    const doc = { a: 1, nested: { list: [1, "two", null, true] }, text: "ü ✓" };
    await redis.set(k("json"), doc);
    expect(await redis.get(k("json"))).toEqual(doc);
    expect(JSON.parse((await direct.get(k("json")))!)).toEqual(doc);

    await redis.set(k("n"), 10);
    expect(await redis.incr(k("n"))).toBe(11);
    expect(await redis.incrby(k("n"), 5)).toBe(16);
    expect(await redis.get(k("n"))).toBe(16);

    expect(await redis.expire(k("s"), 100)).toBe(1);
    const ttl = await redis.ttl(k("s"));
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
    await redis.set(k("ex"), "v", { ex: 50 });
    expect(await direct.ttl(k("ex"))).toBeGreaterThan(40);

    expect(await redis.get(k("missing"))).toBeNull();
    expect(await redis.mget(k("s"), k("missing"), k("u"))).toEqual(["hello", null, unicode]);

    if (kind !== "no auto-pipelining") {
      // Proves these commands really went through /pipeline.
      expect((redis as unknown as { pipelineCounter: number }).pipelineCounter).toBeGreaterThan(0);
    }
  });

  it("hashes", async () => {
    expect(await redis.hset(k("h"), { name: "Ada ✓", age: 36, meta: { tags: ["x"] } })).toBe(3);
    expect(await redis.hget(k("h"), "name")).toBe("Ada ✓");
    // HGETALL must reach the client as Redis's flat [field, value, ...] array (ioredis would make it an object).
    expect(await redis.hgetall(k("h"))).toEqual({ name: "Ada ✓", age: 36, meta: { tags: ["x"] } });
    expect(await redis.hincrby(k("h"), "age", 1)).toBe(37);
    expect(await redis.hdel(k("h"), "meta")).toBe(1);
    expect(await redis.hlen(k("h"))).toBe(2);
    expect(await direct.hgetall(k("h"))).toEqual({ name: "Ada ✓", age: "37" });
    expect(await redis.hgetall(k("no-such-hash"))).toBeNull();
  });

  it("sorted sets: zadd, zrange with scores, reversed", async () => {
    const added = await redis.zadd(k("z"), { score: 2.5, member: "b" }, { score: 1, member: "a" }, { score: 3, member: "c" });
    expect(added).toBe(3);
    expect(await redis.zrange(k("z"), 0, -1)).toEqual(["a", "b", "c"]);
    expect(await redis.zrange(k("z"), 0, -1, { withScores: true })).toEqual(["a", 1, "b", 2.5, "c", 3]);
    expect(await redis.zrange(k("z"), 0, -1, { rev: true })).toEqual(["c", "b", "a"]);
    expect(await redis.exec<unknown[]>(["ZREVRANGE", k("z"), 0, 1, "WITHSCORES"])).toEqual(["c", 3, "b", 2.5]);
    expect(await redis.zscore(k("z"), "b")).toBe(2.5);
    expect(await redis.zincrby(k("z"), 10, "a")).toBe(11);
    expect(await direct.zrange(k("z"), 0, -1)).toEqual(["b", "c", "a"]);
  });

  it("EVAL, EVALSHA and the script's NOSCRIPT fallback to EVAL", async () => {
    expect(await redis.eval("return {KEYS[1], ARGV[1], tonumber(ARGV[2]) * 2}", [k("e")], ["v", "21"])).toEqual([k("e"), "v", 42]);
    // A status reply ("OK") inside an array must still decode as "OK".
    expect(await redis.eval("return {redis.call('SET', KEYS[1], 'x'), redis.call('GET', KEYS[1])}", [k("e2")], [])).toEqual(["OK", "x"]);

    // Script text is unique per client kind, so it is not cached yet: the first exec() gets NOSCRIPT
    // from EVALSHA and must fall back to EVAL.
    const source = `-- ${kind}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    const sha = createHash("sha1").update(source).digest("hex");
    expect(await redis.scriptExists(sha)).toEqual([0]);
    const script = redis.createScript<number>(source);
    expect(await script.exec([k("counter")], ["5"])).toBe(5);
    expect(await redis.scriptExists(sha)).toEqual([1]); // EVAL loaded it
    expect(await script.evalsha([k("counter")], ["5"])).toBe(10);
    expect(await script.exec([k("counter")], ["1"])).toBe(11);

    const unknownSha = "0".repeat(40);
    await expect(redis.evalsha(unknownSha, [], [])).rejects.toThrow("NOSCRIPT No matching script");
    await expect(redis.evalsha(unknownSha, [], [])).rejects.toBeInstanceOf(errors.UpstashError);
  });

  it("pipeline with a failing command in the middle", async () => {
    const build = () => redis.pipeline().set(k("p"), "1").lpush(k("p"), "x").incr(k("p")).get(k("p"));
    const results = await build().exec({ keepErrors: true });
    expect(results.map((r) => r.error)).toEqual([undefined, WRONGTYPE, undefined, undefined]);
    expect(results.map((r) => r.result)).toEqual(["OK", undefined, 2, 2]);
    expect(await direct.get(k("p"))).toBe("2"); // commands after the error still ran

    await expect(build().exec()).rejects.toThrow(`Command 2 [ lpush ] failed: ${WRONGTYPE}`);
  });

  it("multi/exec transactions", async () => {
    expect(await redis.multi().set(k("t"), "a").append(k("t"), "b").get(k("t")).exec()).toEqual(["OK", 2, "ab"]);

    // An error at EXEC time fails that command only; the others are applied.
    const results = await redis.multi().set(k("t2"), "1").incr(k("t2")).hset(k("t2"), { f: "v" }).get(k("t2")).exec({ keepErrors: true });
    expect(results.map((r) => r.error)).toEqual([undefined, undefined, WRONGTYPE, undefined]);
    expect(results[1]!.result).toBe(2);
    expect(results[3]!.result).toBe(2);
  });

  it("Redis errors reach the client verbatim, as thrown UpstashErrors", async () => {
    await redis.set(k("w"), "text");
    await expect(redis.lpush(k("w"), "y")).rejects.toThrow(WRONGTYPE);
    await expect(redis.lpush(k("w"), "y")).rejects.toBeInstanceOf(errors.UpstashError);
    await expect(redis.incr(k("w"))).rejects.toThrow("ERR value is not an integer or out of range");
  });

  it("the allowlist's data commands work: strings, keys, hashes, sets, sorted sets, lists, scripts, server", async () => {
    const key = (name: string) => k(`all:${name}`);
    // Strings
    expect(await redis.mset({ [key("a")]: "one", [key("b")]: 2 })).toBe("OK");
    expect(await redis.msetnx({ [key("a")]: "x", [key("c")]: "y" })).toBe(0);
    expect(await redis.set(key("a"), "no", { nx: true })).toBeNull();
    expect(await redis.set(key("a"), "uno", { xx: true, get: true })).toBe("one");
    expect(await redis.set(key("px"), "v", { px: 60_000, get: true })).toBeNull();
    expect(await redis.setnx(key("nx"), "v")).toBe(1);
    expect(await redis.setex(key("ex"), 60, "v")).toBe("OK");
    expect(await redis.psetex(key("pex"), 60_000, "v")).toBe("OK");
    expect(await redis.getset(key("nx"), "w")).toBe("v");
    expect(await redis.getex(key("nx"), { ex: 30 })).toBe("w");
    expect(await redis.append(key("a"), "!")).toBe(4);
    expect(await redis.strlen(key("a"))).toBe(4);
    expect(await redis.getrange(key("a"), 0, 1)).toBe("un");
    expect(await redis.setrange(key("a"), 0, "U")).toBe(4);
    expect(await redis.getdel(key("a"))).toBe("Uno!");
    expect(await redis.get(key("a"))).toBeNull();
    expect(await redis.incr(key("n"))).toBe(1);
    expect(await redis.incrby(key("n"), 9)).toBe(10);
    expect(await redis.decr(key("n"))).toBe(9);
    expect(await redis.decrby(key("n"), 4)).toBe(5);
    expect(await redis.incrbyfloat(key("n"), 0.5)).toBe(5.5);
    expect(await redis.mget(key("b"), key("n"))).toEqual([2, 5.5]);

    // Keys
    expect(await redis.exists(key("b"), key("n"), key("missing"))).toBe(2);
    expect(await redis.type(key("b"))).toBe("string");
    expect(await redis.expire(key("b"), 100)).toBe(1);
    expect(await redis.pexpire(key("n"), 100_000)).toBe(1);
    expect(await redis.ttl(key("b"))).toBeGreaterThan(90);
    expect(await redis.pttl(key("n"))).toBeGreaterThan(90_000);
    expect(await redis.unlink(key("b"))).toBe(1);
    expect(await redis.del(key("n"), key("missing"))).toBe(1);
    expect(await redis.dbsize()).toBeGreaterThan(0);
    const scanned: string[] = [];
    let cursor: string | number = 0;
    do {
      const [next, keys]: [string | number, string[]] = await redis.scan(cursor, { match: key("*ex"), count: 100 });
      scanned.push(...keys);
      cursor = next;
    } while (String(cursor) !== "0");
    expect(scanned.sort()).toEqual([key("ex"), key("pex")]);

    // Hashes
    expect(await redis.hset(key("h"), { a: "1", b: "two" })).toBe(2);
    expect(await redis.hsetnx(key("h"), "a", "x")).toBe(0);
    expect(await redis.hmset(key("h"), { c: "3" })).toBe("OK");
    expect(await redis.hmget(key("h"), "a", "b", "none")).toEqual({ a: 1, b: "two", none: null });
    expect(await redis.hexists(key("h"), "b")).toBe(1);
    expect((await redis.hkeys(key("h"))).sort()).toEqual(["a", "b", "c"]);
    expect(await redis.hvals(key("h"))).toHaveLength(3);
    expect(await redis.hstrlen(key("h"), "b")).toBe(3);
    expect(await redis.hincrbyfloat(key("h"), "a", 0.25)).toBe(1.25);
    expect(["a", "b", "c"]).toContain(await redis.hrandfield(key("h")));
    expect((await redis.hscan(key("h"), 0))[1]).toHaveLength(6);

    // Sets
    expect(await redis.sadd(key("s1"), "a", "b", "c")).toBe(3);
    expect(await redis.sadd(key("s2"), "b", "c", "d")).toBe(3);
    expect(await redis.sismember(key("s1"), "a")).toBe(1);
    expect(await redis.smismember(key("s1"), ["a", "d"])).toEqual([1, 0]);
    expect(await redis.scard(key("s1"))).toBe(3);
    expect((await redis.sinter(key("s1"), key("s2"))).sort()).toEqual(["b", "c"]);
    expect(await redis.sintercard([key("s1"), key("s2")])).toBe(2);
    expect((await redis.sunion(key("s1"), key("s2"))).sort()).toEqual(["a", "b", "c", "d"]);
    expect(await redis.sdiff(key("s1"), key("s2"))).toEqual(["a"]);
    expect(await redis.sinterstore(key("si"), key("s1"), key("s2"))).toBe(2);
    expect(await redis.sunionstore(key("su"), key("s1"), key("s2"))).toBe(4);
    expect(await redis.sdiffstore(key("sd"), key("s1"), key("s2"))).toBe(1);
    expect(await redis.smove(key("s1"), key("s2"), "a")).toBe(1);
    expect(await redis.srem(key("s2"), "a")).toBe(1);
    expect(["b", "c"]).toContain(await redis.srandmember(key("s1")));
    expect(["b", "c"]).toContain(await redis.spop(key("s1")));
    expect((await redis.sscan(key("s2"), 0))[1].sort()).toEqual(["b", "c", "d"]);
    expect(await redis.smembers(key("sd"))).toEqual(["a"]);

    // Sorted sets
    expect(await redis.zadd(key("z1"), { score: 1, member: "a" }, { score: 2, member: "b" }, { score: 3, member: "c" })).toBe(3);
    expect(await redis.zadd(key("z2"), { score: 10, member: "b" }, { score: 20, member: "d" })).toBe(2);
    expect(await redis.zcard(key("z1"))).toBe(3);
    expect(await redis.zcount(key("z1"), 2, "+inf")).toBe(2);
    expect(await redis.zlexcount(key("z1"), "-", "+")).toBe(3);
    expect(await redis.zrank(key("z1"), "b")).toBe(1);
    expect(await redis.zrevrank(key("z1"), "b")).toBe(1);
    expect(await redis.zmscore(key("z1"), ["a", "none"])).toEqual([1, null]);
    expect(await redis.zunion(2, [key("z1"), key("z2")], { withScores: true })).toEqual(["a", 1, "c", 3, "b", 12, "d", 20]);
    expect(await redis.zunionstore(key("zu"), 2, [key("z1"), key("z2")])).toBe(4);
    expect(await redis.zinterstore(key("zi"), 2, [key("z1"), key("z2")])).toBe(1);
    expect(await redis.zdiffstore(key("zd"), 2, key("z1"), key("z2"))).toBe(2);
    expect((await redis.zscan(key("zd"), 0))[1]).toEqual(["a", 1, "c", 3]);
    expect(await redis.zpopmin(key("zu"))).toEqual(["a", 1]);
    expect(await redis.zpopmax(key("zu"))).toEqual(["d", 20]);
    expect(await redis.zrem(key("z1"), "a")).toBe(1);
    expect(await redis.zremrangebyscore(key("z2"), 0, 15)).toBe(1);
    expect(await redis.zremrangebyrank(key("zu"), 0, 0)).toBe(1);
    expect(await redis.zremrangebylex(key("zd"), "-", "+")).toBe(2);

    // Lists
    expect(await redis.rpush(key("l"), "b", "c")).toBe(2);
    expect(await redis.lpush(key("l"), "a")).toBe(3);
    expect(await redis.lpushx(key("l"), "0")).toBe(4);
    expect(await redis.rpushx(key("no-list"), "x")).toBe(0);
    expect(await redis.lrange(key("l"), 0, -1)).toEqual([0, "a", "b", "c"]);
    expect(await redis.llen(key("l"))).toBe(4);
    expect(await redis.lindex(key("l"), 1)).toBe("a");
    expect(await redis.lset(key("l"), 0, "z")).toBe("OK");
    expect(await redis.linsert(key("l"), "after", "a", "a2")).toBe(5);
    expect(await redis.lpos(key("l"), "b")).toBe(3);
    expect(await redis.lrem(key("l"), 1, "a2")).toBe(1);
    expect(await redis.ltrim(key("l"), 0, 2)).toBe("OK");
    expect(await redis.lmove(key("l"), key("l2"), "left", "right")).toBe("z");
    expect(await redis.lpop(key("l"))).toBe("a");
    expect(await redis.rpop(key("l"))).toBe("b");
    expect(await redis.lmpop(1, [key("l2")], "LEFT")).toEqual([key("l2"), ["z"]]);

    // Scripts and server
    const readOnly = `-- ${kind}\nreturn redis.call('GET', KEYS[1])`;
    await redis.set(key("ro"), "r");
    expect(await redis.evalRo(readOnly, [key("ro")], [])).toBe("r");
    const sha = await redis.scriptLoad(readOnly);
    expect(sha).toBe(createHash("sha1").update(readOnly).digest("hex"));
    expect(await redis.scriptExists(sha)).toEqual([1]);
    expect(await redis.evalshaRo(sha, [key("ro")], [])).toBe("r");
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.echo("hi ✓")).toBe("hi ✓");
    const [seconds] = await redis.time();
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(60);
  });

  it("refused commands reject with the bridge's error and change nothing", async () => {
    await direct.set(k("kept"), "v");
    const keysBefore = await direct.dbsize();
    const refused = (name: string) => `ERR ${name} is not allowed by the local Upstash bridge`;
    await expect(redis.flushall()).rejects.toThrow(refused("FLUSHALL"));
    await expect(redis.flushall()).rejects.toBeInstanceOf(errors.UpstashError);
    await expect(redis.flushdb()).rejects.toThrow(refused("FLUSHDB"));
    await expect(redis.scriptFlush()).rejects.toThrow(refused("SCRIPT FLUSH"));
    await expect(redis.keys("*")).rejects.toThrow(refused("KEYS"));
    await expect(redis.pipeline().set(k("piped"), "x").flushdb().exec()).rejects.toThrow(refused("FLUSHDB"));
    await expect(redis.multi().set(k("piped"), "x").flushall().exec()).rejects.toThrow(refused("FLUSHALL"));
    expect(await direct.exists(k("piped"))).toBe(0);
    expect(await direct.get(k("kept"))).toBe("v");
    expect(await direct.dbsize()).toBe(keysBefore);
  });

  it("a wrong token is refused with 401 Unauthorized", async () => {
    const intruder = clientKinds[kind]("not-the-token");
    await expect(intruder.get(k("s"))).rejects.toThrow("Unauthorized");
    await expect(intruder.set(k("intruder"), "x")).rejects.toThrow("Unauthorized");
    expect(await direct.exists(k("intruder"))).toBe(0);
  });
});

describe("wire format (raw fetch)", () => {
  it("requires the bearer token", async () => {
    const noAuth = await fetch(bridge.url, { method: "POST", body: '["PING"]' });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual({ error: "Unauthorized" });
    expect(await post("/", ["PING"], { authorization: "Bearer wrong" })).toEqual({ status: 401, body: { error: "Unauthorized" } });
    expect(await post("/pipeline", [["PING"]], { authorization: `Basic ${TOKEN}` })).toMatchObject({ status: 401 });
    // Upstash also accepts the token as a _token query parameter.
    const viaQuery = await fetch(`${bridge.url}/?_token=${TOKEN}`, { method: "POST", body: '["PING"]' });
    expect(await viaQuery.json()).toEqual({ result: "PONG" });
  });

  it("base64-encodes strings recursively only with Upstash-Encoding: base64", async () => {
    const text = "ünïcode ✓ 🎉";
    expect(await post("/", ["SET", "wire:s", text], BASE64)).toEqual({ status: 200, body: { result: "OK" } });
    expect(await post("/", ["GET", "wire:s"], BASE64)).toEqual({ status: 200, body: { result: b64(text) } });
    expect(await post("/", ["GET", "wire:s"])).toEqual({ status: 200, body: { result: text } });
    expect(await post("/", ["GET", "wire:missing"], BASE64)).toEqual({ status: 200, body: { result: null } });
    expect(await post("/", ["INCR", "wire:n"], BASE64)).toEqual({ status: 200, body: { result: 1 } });
    expect(await post("/", ["MGET", "wire:s", "wire:missing", "wire:n"], BASE64)).toEqual({
      status: 200,
      body: { result: [b64(text), null, b64("1")] },
    });

    const nested = "return {1, {'a', 2, {'deep'}}, 'b', redis.call('PING')}";
    expect((await post("/", ["EVAL", nested, 0], BASE64)).body).toEqual({
      result: [1, [b64("a"), 2, [b64("deep")]], b64("b"), b64("PONG")],
    });
    expect((await post("/", ["EVAL", nested, 0])).body).toEqual({ result: [1, ["a", 2, ["deep"]], "b", "PONG"] });
    // Raw bytes, not their UTF-8 reinterpretation, are what gets encoded.
    expect((await post("/", ["EVAL", "return string.char(255, 0, 128)", 0], BASE64)).body).toEqual({
      result: b64(Buffer.from([255, 0, 128])),
    });
    // Errors are never encoded.
    await post("/", ["HSET", "wire:h", "f", "v"]);
    expect(await post("/", ["GET", "wire:h"], BASE64)).toEqual({ status: 400, body: { error: WRONGTYPE } });
    expect(
      await post(
        "/pipeline",
        [
          ["GET", "wire:s"],
          ["GET", "wire:h"],
          ["SET", "wire:x", "1"],
        ],
        BASE64,
      ),
    ).toEqual({
      status: 200,
      body: [{ result: b64(text) }, { error: WRONGTYPE }, { result: "OK" }],
    });
  });

  it("sends number and boolean arguments to Redis as strings", async () => {
    expect((await post("/", ["SET", "wire:num", 12.5])).body).toEqual({ result: "OK" });
    expect(await direct.get("wire:num")).toBe("12.5");
    await post("/", ["SET", "wire:bool", true]);
    expect(await direct.get("wire:bool")).toBe("true");
    expect((await post("/", ["HSET", "wire:hb", 1, false, "zero", 0])).body).toEqual({ result: 2 });
    expect(await direct.hgetall("wire:hb")).toEqual({ 1: "false", zero: "0" });
    expect((await post("/", ["INCRBY", "wire:num2", 7])).body).toEqual({ result: 7 });
    expect((await post("/", ["EXPIRE", "wire:num2", 60])).body).toEqual({ result: 1 });
  });

  it("answers Redis errors with 400 {error} carrying Redis's text verbatim", async () => {
    for (const command of [["GET", "wire:h"], ["GET"], ["SET", "k", "v", "EX", "soon"], ["EVALSHA", "abc", "0"]]) {
      const res = await post("/", command);
      expect(res).toEqual({ status: 400, body: { error: await redisErrorText(...command) } });
    }
  });

  it("multi-exec is atomic, reports per-command results, and leaves no MULTI state behind", async () => {
    expect(
      await post(
        "/multi-exec",
        [
          ["SET", "wire:t", "1"],
          ["INCR", "wire:t"],
          ["LPUSH", "wire:t", "x"],
          ["GET", "wire:t"],
        ],
        BASE64,
      ),
    ).toEqual({ status: 200, body: [{ result: "OK" }, { result: 2 }, { error: WRONGTYPE }, { result: b64("2") }] });

    // A command Redis refuses while queueing (here: wrong arity) discards the whole transaction.
    await direct.set("wire:t", "before");
    const aborted = await post("/multi-exec", [["SET", "wire:t", "after"], ["GET"]]);
    expect(aborted).toEqual({ status: 400, body: { error: await redisErrorText("GET") } });
    expect(await direct.get("wire:t")).toBe("before");
    // ...and the shared connection is not left inside MULTI (a GET would answer "QUEUED").
    expect((await post("/", ["GET", "wire:t"])).body).toEqual({ result: "before" });

    // Raw connection-state commands are refused before they can reach the shared connection.
    for (const command of [["MULTI"], ["exec"], ["WATCH", "wire:t"], ["SELECT", "1"], ["SUBSCRIBE", "ch"]]) {
      const res = await post("/", command);
      expect(res).toEqual({ status: 400, body: { error: `ERR ${command[0]!.toUpperCase()} is not allowed by the local Upstash bridge` } });
    }
    expect((await post("/pipeline", [["GET", "wire:t"], ["MULTI"]])).status).toBe(400);
    expect((await post("/multi-exec", [["WATCH", "wire:t"]])).status).toBe(400);
    expect(
      (
        await post("/pipeline", [
          ["SET", "wire:t", "after"],
          ["GET", "wire:t"],
        ])
      ).body,
    ).toEqual([{ result: "OK" }, { result: "after" }]);
  });

  it("rejects malformed bodies with 400 and a clear error", async () => {
    const expect400 = async (urlPath: string, text: string, pattern: RegExp) => {
      const res = await postText(urlPath, text);
      expect(res.status).toBe(400);
      expect((res.body as { error: string }).error).toMatch(pattern);
    };
    await expect400("/", '["SET", "k"', /not valid JSON/);
    await expect400("/", "", /not valid JSON/);
    await expect400("/", '{"command": "GET"}', /non-empty JSON array/);
    await expect400("/", "[]", /non-empty JSON array/);
    await expect400("/", '["GET", ["k"]]', /strings, numbers or booleans/);
    await expect400("/", '["SET", "k", null]', /strings, numbers or booleans/);
    await expect400("/", '["SET", "k", {"a": 1}]', /strings, numbers or booleans/);
    await expect400("/pipeline", '["GET", "k"]', /non-empty JSON array/);
    await expect400("/pipeline", "[]", /non-empty JSON array/);
    await expect400("/multi-exec", '{"a": 1}', /non-empty JSON array/);
    await expect400("/multi-exec", '[["GET", "k"], []]', /non-empty JSON array/);
  });

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    expect(await post("/nope", ["PING"])).toMatchObject({ status: 404 });
    expect(await post("/set/foo/bar", ["PING"])).toMatchObject({ status: 404 });
    const get = await fetch(bridge.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ error: expect.stringMatching(/POST/) });
  });
});

/** Commands that would wipe, reconfigure, block or take over Redis, each with arguments that would work. */
const REFUSED: string[][] = [
  ["FLUSHALL"],
  ["FLUSHDB", "ASYNC"],
  ["SHUTDOWN", "NOSAVE"],
  ["CONFIG", "SET", "maxmemory", "1"],
  ["REPLICAOF", "127.0.0.1", "1"],
  ["SLAVEOF", "127.0.0.1", "1"],
  ["MIGRATE", "127.0.0.1", "1", "refused:kept", "0", "1000"],
  ["BLPOP", "refused:list", "0"],
  ["BRPOP", "refused:list", "0"],
  ["BLMOVE", "refused:list", "refused:l2", "LEFT", "RIGHT", "0"],
  ["BZPOPMIN", "refused:zset", "0"],
  ["XREAD", "BLOCK", "0", "STREAMS", "refused:stream", "$"],
  ["WAIT", "1", "0"],
  ["CLIENT", "KILL", "TYPE", "normal"],
  ["KEYS", "*"],
  ["DEBUG", "SLEEP", "0"],
  ["SAVE"],
  ["BGSAVE"],
  ["MONITOR"],
  ["SUBSCRIBE", "refused:channel"],
  ["SCRIPT", "FLUSH"],
  ["SCRIPT", "KILL"],
  ["FUNCTION", "FLUSH"],
  ["MODULE", "LIST"],
  ["ACL", "SETUSER", "default", "off"],
  ["OBJECT", "ENCODING", "refused:kept"],
  ["SWAPDB", "0", "1"],
  ["MOVE", "refused:kept", "1"],
];
const refusal = (name: string) => ({ error: `ERR ${name} is not allowed by the local Upstash bridge` });

describe("command allowlist", () => {
  it.each(REFUSED.map((command) => [command[0] === "SCRIPT" ? `SCRIPT ${command[1]}` : command[0]!, command] as const))(
    "refuses %s via /, /pipeline and /multi-exec; nothing of the body runs",
    async (name, command) => {
      await direct.set("refused:kept", "v");
      expect(await post("/", command)).toEqual({ status: 400, body: refusal(name) });
      const lower = [command[0]!.toLowerCase(), ...command.slice(1)];
      expect(await post("/", lower)).toEqual({ status: 400, body: refusal(name) });
      for (const urlPath of ["/pipeline", "/multi-exec"]) {
        const body = [["SET", "refused:before", "1"], ["INCR", "refused:counter"], lower, ["DEL", "refused:kept"]];
        expect(await post(urlPath, body)).toEqual({ status: 400, body: refusal(name) });
      }
      expect(await direct.exists("refused:before", "refused:counter")).toBe(0);
      expect(await direct.get("refused:kept")).toBe("v");
      expect(await direct.ping()).toBe("PONG"); // not shut down, not a replica, not blocked
      expect(await direct.call("CONFIG", "GET", "maxmemory")).toEqual(["maxmemory", "0"]);
    },
  );

  it("FLUSHALL via the bridge leaves the data in place", async () => {
    await direct.mset("flush:a", "1", "flush:b", "2");
    const keysBefore = await direct.dbsize();
    for (const command of [["FLUSHALL"], ["flushall", "SYNC"], ["FLUSHDB"]]) {
      expect((await post("/", command)).status).toBe(400);
      expect((await post("/pipeline", [command])).status).toBe(400);
      expect((await post("/multi-exec", [["GET", "flush:a"], command])).status).toBe(400);
    }
    expect(await direct.mget("flush:a", "flush:b")).toEqual(["1", "2"]);
    expect(await direct.dbsize()).toBe(keysBefore);
  });

  it("SCRIPT is allowed for LOAD and EXISTS only", async () => {
    const source = "return 'allowlist'";
    const sha = createHash("sha1").update(source).digest("hex");
    expect((await post("/", ["SCRIPT", "LOAD", source])).body).toEqual({ result: sha });
    expect((await post("/", ["script", "exists", sha])).body).toEqual({ result: [1] });
    for (const sub of ["FLUSH", "KILL", "DEBUG"]) {
      expect(await post("/", ["script", sub.toLowerCase()])).toEqual({ status: 400, body: refusal(`SCRIPT ${sub}`) });
    }
    expect(await post("/", ["SCRIPT"])).toEqual({ status: 400, body: refusal("SCRIPT") });
    expect(await direct.call("SCRIPT", "EXISTS", sha)).toEqual([1]); // the flushes did not run
  });

  it("matches names case-insensitively in ASCII only, as Redis does", async () => {
    expect((await post("/", ["gEt", "refused:kept"])).body).toEqual({ result: "v" });
    // JavaScript upper-cases "ſ" to "S"; Redis would not take "ſet" for SET, and neither does the bridge.
    expect(await post("/", ["ſet", "refused:kept", "x"])).toEqual({ status: 400, body: refusal("ſET") });
    expect(await post("/", ["NOPE"])).toEqual({ status: 400, body: refusal("NOPE") });
  });

  it("lists only commands this redis-server knows (bar newer hash commands) and none of the refused ones", async () => {
    // Hash field expiry came with Redis 7.4, HGETDEL/HGETEX/HSETEX with 8.0; Upstash has them.
    const newer = new Set([
      "HEXPIRE",
      "HPEXPIRE",
      "HEXPIREAT",
      "HPEXPIREAT",
      "HEXPIRETIME",
      "HPEXPIRETIME",
      "HTTL",
      "HPTTL",
      "HPERSIST",
      "HGETDEL",
      "HGETEX",
      "HSETEX",
    ]);
    const unknown: string[] = [];
    for (const name of ALLOWED_COMMANDS) {
      const [info] = (await direct.call("COMMAND", "INFO", name.replace(" ", "|"))) as unknown[];
      if (info === null) unknown.push(name);
    }
    expect(unknown.filter((name) => !newer.has(name))).toEqual([]);
    const refusedNames = REFUSED.map((command) => (command[0] === "SCRIPT" ? `SCRIPT ${command[1]}` : command[0]!));
    expect(refusedNames.filter((name) => ALLOWED_COMMANDS.has(name))).toEqual([]);
  });
});

describe("browser protection", () => {
  const bodies = { "/": ["SET", "browser:k", "x"], "/pipeline": [["SET", "browser:k", "x"]], "/multi-exec": [["SET", "browser:k", "x"]] };

  it("refuses with 403 any request carrying an Origin header, even with the token; nothing runs", async () => {
    // A cross-site page, a sandboxed one (Origin: null) and a page served from the bridge's own origin.
    for (const origin of ["http://evil.example", "null", bridge.url]) {
      for (const [path, body] of Object.entries(bodies)) {
        const res = await rawRequest({ path, headers: { origin, "content-type": "text/plain" }, body });
        expect(res).toEqual({ status: 403, headers: expect.anything(), body: { error: expect.stringMatching(/^Forbidden: .*web pages/) } });
        expect(accessControlHeaders(res.headers)).toEqual([]);
      }
    }
    expect(await direct.exists("browser:k")).toBe(0);
  });

  it("gives a CORS preflight 403 and never an Access-Control-Allow-* header", async () => {
    const preflight = await rawRequest({
      method: "OPTIONS",
      headers: {
        origin: "http://evil.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(403);
    expect(accessControlHeaders(preflight.headers)).toEqual([]);
    const options = await rawRequest({ method: "OPTIONS" });
    expect(options.status).toBe(405);
    expect(accessControlHeaders(options.headers)).toEqual([]);
    const ok = await rawRequest({ body: ["PING"] });
    expect(ok).toMatchObject({ status: 200, body: { result: "PONG" } });
    expect(accessControlHeaders(ok.headers)).toEqual([]);
  });

  it("refuses with 403 a Host that is not its own loopback address (DNS rebinding); nothing runs", async () => {
    const port = bridge.port;
    const foreign = [
      `evil.example:${port}`,
      "evil.example",
      `localhost.evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      "127.0.0.1",
      `0.0.0.0:${port}`,
      `127.0.0.2:${port}`,
      `[::1]:${port + 1}`,
      "",
    ];
    for (const host of foreign) {
      for (const [path, body] of Object.entries(bodies)) {
        const res = await rawRequest({ path, host, body });
        expect({ host, status: res.status, body: res.body }).toEqual({
          host,
          status: 403,
          body: { error: expect.stringMatching(/^Forbidden: the Host header must be 127\.0\.0\.1:\d+, localhost:\d+ or \[::1\]:\d+/) },
        });
      }
    }
    expect(await direct.exists("browser:k")).toBe(0);

    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]) {
      expect(await rawRequest({ host, body: ["PING"] })).toMatchObject({ status: 200, body: { result: "PONG" } });
    }
    const viaLocalhost = new Redis({ url: `http://localhost:${port}`, token: TOKEN, enableAutoPipelining: false });
    expect(await viaLocalhost.ping()).toBe("PONG");
  });
});

describe("redis-server helper", () => {
  it("freePort gives a port that can be listened on", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const probe = net.createServer().listen(port, "127.0.0.1");
    await new Promise((resolve) => probe.once("listening", resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it("explains how to install redis-server when it is missing", async () => {
    const saved = process.env.REDIS_SERVER_BIN;
    process.env.REDIS_SERVER_BIN = "/nonexistent/redis-server";
    try {
      await expect(startRedisServer()).rejects.toThrow(/apt-get install redis-server.*brew install redis/);
    } finally {
      if (saved === undefined) delete process.env.REDIS_SERVER_BIN;
      else process.env.REDIS_SERVER_BIN = saved;
    }
  });

  it("refuses a port where a Redis already answers", async () => {
    await expect(startRedisServer({ port: server.port })).rejects.toThrow(/already answers PING/);
  });
});

describe("bridge as a script", () => {
  it("starts from env vars, prints its URL and serves requests", async () => {
    const port = await freePort();
    const tsx = path.join(__dirname, "../../node_modules/.bin/tsx");
    const child = spawn(tsx, [path.join(__dirname, "../../tools/redis/upstash-bridge.ts")], {
      env: { ...process.env, REDIS_URL: server.url, UPSTASH_REDIS_REST_TOKEN: "script-token", UPSTASH_BRIDGE_PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /UPSTASH_REDIS_REST_URL=(\S+)/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.once("exit", (code) => reject(new Error(`bridge script exited (${code}):\n${out}`)));
      });
      expect(url).toBe(`http://127.0.0.1:${port}`);
      const client = new Redis({ url, token: "script-token", enableAutoPipelining: false });
      expect(await client.set("script:k", { ok: true })).toBe("OK");
      expect(await client.get("script:k")).toEqual({ ok: true });
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});

// Last: this one stops Redis (and with it, every key).
describe("Redis stopped, then restarted on the same port", () => {
  it("answers a fast 503 {error} while Redis is down and works again once it is back", async () => {
    const plain = clientKinds["no auto-pipelining"]();
    const auto = clientKinds["auto-pipelining"]();
    expect(await plain.set("down:k", "v")).toBe("OK");

    await server.stop();
    expect(server.running).toBe(false);

    const started = Date.now();
    const single = await post("/", ["GET", "down:k"]);
    expect(single.status).toBe(503);
    expect((single.body as { error: string }).error).toMatch(/Redis unavailable/);
    expect((await post("/pipeline", [["GET", "down:k"]])).status).toBe(503);
    expect((await post("/multi-exec", [["SET", "down:k", "x"]])).status).toBe(503);
    for (let i = 0; i < 4; i++) {
      await expect(plain.get("down:k")).rejects.toThrow(/Redis unavailable/);
      await expect(auto.set("down:k", "x")).rejects.toThrow(/Redis unavailable/);
    }
    // Eleven requests, each answered at once: nothing waits in a queue for the next reconnect attempt.
    expect(Date.now() - started).toBeLessThan(1_000);

    const port = server.port;
    await server.start();
    expect(server.port).toBe(port);
    expect(await eventually(() => plain.ping(), 10_000)).toBe("PONG");
    expect(await plain.get("down:k")).toBeNull(); // a fresh Redis: nothing was persisted
    expect(await auto.set("down:k", "back")).toBe("OK");
    expect(await plain.get("down:k")).toBe("back");
    expect(
      (
        await post("/multi-exec", [
          ["INCR", "down:n"],
          ["INCR", "down:n"],
        ])
      ).body,
    ).toEqual([{ result: 1 }, { result: 2 }]);
  });

  it("a bridge started while Redis is down serves requests once Redis appears", async () => {
    const port = await freePort();
    const lateBridge = await startUpstashBridge({ redisUrl: `redis://127.0.0.1:${port}`, token: TOKEN });
    let late: RedisServer | undefined;
    try {
      const client = new Redis({ url: lateBridge.url, token: TOKEN, enableAutoPipelining: false });
      await expect(client.ping()).rejects.toThrow(/Redis unavailable/);
      late = await startRedisServer({ port });
      expect(await eventually(() => client.ping(), 10_000)).toBe("PONG");
    } finally {
      await lateBridge.close();
      await late?.stop();
    }
  });
});
