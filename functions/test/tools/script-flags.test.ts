/**
 * Upstash's script flags on the local bridge (tools/redis/script-flags.ts), and every script the
 * code can send run through it: Fresco's own (src/cache/lua.ts lists them) and
 * @upstash/ratelimit's. The bridge refuses an undeclared key under allow-key-locking as Upstash
 * does, so a script that runs here declares its keys.
 */
import { createHash, randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis, errors } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import * as deployed from "../../src";
import { luaScripts, scriptOn, type LuaScript } from "../../src/cache/lua";
import { startRedisServer, type RedisServer } from "../../tools/redis/redis-server";
import { startUpstashBridge, type UpstashBridge } from "../../tools/redis/upstash-bridge";
import { waitFor } from "../helpers/wait";

// Every module that defines a script, as discovery loads them (each export loads its domain when read).
void Object.values(deployed);

const token = `script-flags-${randomUUID()}`;
let server: RedisServer;
let bridge: UpstashBridge;
let redis: Redis;
/** A plain TCP client on the same Redis: flushes, and reads what Redis ran (INFO commandstats). */
let direct: IORedis;

beforeAll(async () => {
  server = await startRedisServer();
  bridge = await startUpstashBridge({ redisUrl: server.url, token });
  redis = new Redis({ url: bridge.url, token, enableAutoPipelining: false, retry: false });
  direct = new IORedis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  direct.on("error", () => {}); // it lives through a restart
});
afterAll(async () => {
  direct?.disconnect();
  await bridge?.close();
  await server?.stop();
});
beforeEach(async () => {
  await direct.flushdb();
  await direct.config("RESETSTAT");
});

/** How many times Redis ran each script command since the last reset (failed calls included). */
async function scriptCalls(): Promise<Record<string, number>> {
  const info = await direct.info("commandstats");
  const calls: Record<string, number> = {};
  for (const [, name, count] of info.matchAll(/cmdstat_(eval\w*):calls=(\d+)/g)) calls[name!] = Number(count);
  return calls;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const keyLockedScript = (body: string) => `#!lua flags=allow-key-locking\n${body}`;
const dynamicKeyError = (key: string) =>
  `ERR Dynamic keys are not allowed in Lua scripts when 'allow-key-locking' flag is set. Key was: ${key}`;

/** A call of each of Fresco's scripts with the keys and arguments its callers pass. */
const examples: Record<string, { keys: string[]; args: string[]; seed?: Record<string, string> }> = {
  "cache.store": {
    keys: ["fresco:c:k", "fresco:lock:k@1", "fresco:cj:k", "fresco:tagv:a", "fresco:tagv:card:x"],
    args: ['{"v":1,"t":{"a":1},"j":1}', "60000", "tok", "120000", '{"card:x":"2"}', "1", "2"],
    seed: { "fresco:tagv:a": "1", "fresco:tagv:card:x": "2", "fresco:lock:k@1": "tok" },
  },
  "cache.initVersions": { keys: ["fresco:tagv:a", "fresco:tagv:b"], args: ["120000"] },
  "cache.bump": { keys: ["fresco:tagv:a", "fresco:tagv:b"], args: ["120000"], seed: { "fresco:tagv:a": "5" } },
  "cache.releaseLock": { keys: ["fresco:lock:k@1"], args: ["tok"], seed: { "fresco:lock:k@1": "tok" } },
  "art.updateStatus": {
    keys: ["fresco:processing:r"],
    args: ["w1", '{"worker":"w1","stage":"x"}', "86400"],
    seed: { "fresco:processing:r": '{"worker":"w1"}' },
  },
  "art.releaseStatus": { keys: ["fresco:processing:r"], args: ["w1"], seed: { "fresco:processing:r": '{"worker":"w1"}' } },
  "art.deleteStatusIf": { keys: ["fresco:processing:r"], args: ['{"worker":"w1"}'], seed: { "fresco:processing:r": '{"worker":"w1"}' } },
};

describe("the bridge handles Upstash's script flags", () => {
  it("runs a key-locked script on its declared keys and refuses any other key, as Upstash does", async () => {
    const ok = keyLockedScript("redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])");
    expect(await redis.eval(ok, ["declared"], ["v"])).toBe("v");
    const built = keyLockedScript("return redis.call('GET', 'fresco:tagv:' .. ARGV[1])");
    await expect(redis.eval(built, ["fresco:c:x"], ["card:ann"])).rejects.toThrow(dynamicKeyError("fresco:tagv:card:ann"));
    // pcall hands the refusal back as an error reply; MGET's keys are checked one by one.
    const viaPcall = keyLockedScript("local r = redis.pcall('MGET', KEYS[1], 'other') return r.err");
    expect(await redis.eval(viaPcall, ["declared"], [])).toBe(dynamicKeyError("other"));
    await expect(redis.eval(keyLockedScript("return redis.call('FLUSHDB')"), [], [])).rejects.toThrow(/FLUSHDB needs the whole database/);
    // A command with no key (TIME) is not a key, and a script without the flag may touch any key
    // (Upstash runs it under its global lock: the bridge's report says so).
    expect(await redis.eval(keyLockedScript("return #redis.call('TIME')"), [], [])).toBe(2);
    const unflagged = "return redis.call('SET', 'anything', '1')";
    expect(await redis.eval(unflagged, [], [])).toBe("OK");
    expect(bridge.scripts().find((s) => s.sha === sha1(unflagged))).toMatchObject({ keyLocked: false, flags: [] });
    expect(bridge.scripts().find((s) => s.sha === sha1(ok))).toMatchObject({ keyLocked: true, flags: ["allow-key-locking"] });
  });

  it("keeps the client's digests: EVALSHA after the first EVAL, and SCRIPT LOAD, answer without NOSCRIPT", async () => {
    const source = keyLockedScript(`return redis.call('INCR', KEYS[1]) -- ${randomUUID()}`);
    const script = redis.createScript<number>(source);
    expect(await script.exec(["n"], [])).toBe(1);
    expect(await scriptCalls()).toEqual({ evalsha: 1, eval: 1 }); // EVALSHA (NOSCRIPT), then EVAL
    expect(await script.exec(["n"], [])).toBe(2);
    expect(await scriptCalls()).toEqual({ evalsha: 2, eval: 1 }); // the client's digest, mapped by the bridge
    const loaded = keyLockedScript(`return redis.call('GET', KEYS[1]) -- ${randomUUID()}`);
    expect(await redis.scriptLoad(loaded)).toBe(sha1(loaded));
    expect(await redis.evalsha(sha1(loaded), ["n"], [])).toBe(2);
    // After a restart Redis has forgotten every script: NOSCRIPT, and the client's EVAL again.
    await server.restart();
    await waitFor(async () => (await redis.ping()) === "PONG", { what: "the bridge back on the restarted Redis" });
    await expect(redis.evalsha(sha1(loaded), ["n"], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("keeps Redis 7's own flags: a no-writes script sent with EVAL_RO may read, never write", async () => {
    await redis.set("k", "v");
    const reader = redis.createScript<string, true>("#!lua flags=no-writes,allow-key-locking\nreturn redis.call('GET', KEYS[1])", {
      readonly: true,
    });
    expect(await reader.exec(["k"], [])).toBe("v");
    const writer = "#!lua flags=no-writes,allow-key-locking\nreturn redis.call('SET', KEYS[1], 'x')";
    await expect(redis.evalRo(writer, ["k"], [])).rejects.toThrow(errors.UpstashError);
    expect(await redis.get("k")).toBe("v");
  });

  it("counts a script run inside MULTI/EXEC (Upstash runs it under the global lock)", async () => {
    const source = keyLockedScript(`return redis.call('INCR', KEYS[1]) -- ${randomUUID()}`);
    const transaction = redis.multi();
    transaction.eval(source, ["t"], []);
    expect(await transaction.exec()).toEqual([1]);
    expect(bridge.scripts().find((s) => s.sha === sha1(source))).toMatchObject({ runs: 1, inTransaction: 1 });
  });
});

describe("every script the code can send declares its keys", () => {
  it.each(luaScripts().map((s): [string, LuaScript] => [s.name, s]))(
    "%s runs on the bridge with its callers' keys",
    async (name, script) => {
      const example = examples[name];
      if (!example) throw new Error(`no example call of ${name}: add one to this test`);
      for (const [key, value] of Object.entries(example.seed ?? {})) await redis.set(key, value);
      await expect(scriptOn(redis, script).exec(example.keys, example.args)).resolves.not.toBeUndefined();
      const seen = bridge.scripts().find((s) => s.sha === sha1(script.source));
      expect(seen).toMatchObject({ keyLocked: true, inTransaction: 0 });
    },
  );

  it("@upstash/ratelimit's limiters run on the bridge, key-locked, with exact counts", async () => {
    const seenBefore = new Set(bridge.scripts().map((s) => s.sha));
    const limiters = {
      fixedWindow: Ratelimit.fixedWindow(3, "10 s"),
      slidingWindow: Ratelimit.slidingWindow(3, "10 s"),
      tokenBucket: Ratelimit.tokenBucket(1, "10 s", 3),
    };
    for (const [name, limiter] of Object.entries(limiters)) {
      const ratelimit = new Ratelimit({ redis, limiter, prefix: `fresco:rl:${name}`, analytics: false, ephemeralCache: false });
      const outcomes = [];
      for (let i = 0; i < 5; i++) outcomes.push((await ratelimit.limit("caller")).success);
      expect([name, outcomes]).toEqual([name, [true, true, true, false, false]]);
      expect([name, (await ratelimit.getRemaining("caller")).remaining]).toEqual([name, 0]);
    }
    const theirs = bridge.scripts().filter((s) => !seenBefore.has(s.sha));
    expect(theirs.length).toBeGreaterThanOrEqual(3); // at least one script per limiter
    expect(theirs.filter((s) => !s.keyLocked).map((s) => s.preview)).toEqual([]);
  });
});
