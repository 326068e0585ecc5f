/**
 * The cache's read path, entry format, TTLs and invalidation cost, against a real redis-server
 * behind the real Upstash bridge (with a counting proxy in front: see harness.ts).
 */
import { entryKey, families } from "../../src/cache/map";
import { redisKeys } from "../../src/cache/keys";
import { cacheHarnessForSuite, type CacheHarness } from "./harness";

let h!: CacheHarness;
cacheHarnessForSuite((started) => (h = started));
// Redis only: nothing here reaches Firestore (errors stay 0, so nothing is deferred to the outbox),
// and clearFirestore costs ~5 s a test (re-enabling triggers), so it is left to the suites that need it.
beforeEach(async () => {
  await h.direct.flushdb();
  h.reset();
});

const firstPage = { sort: "recent", limit: 20, cursor: null } as const;

describe("getOrLoad", () => {
  it("stores {v, t} under fresco:c:<key>, with tag versions under fresco:tagv:<tag> that never expire", async () => {
    const cache = h.newCache();
    const page = { items: [{ id: "a" }], next: "cursor-1" };
    const loader = jest.fn(async () => page);
    expect(await cache.getOrLoad(families.feedPage, firstPage, loader)).toEqual(page);

    expect((await h.direct.keys("*")).sort()).toEqual(["fresco:c:feed:recent:20", "fresco:tagv:feed:public"]); // no lock left behind
    const version = Number(await h.direct.get(redisKeys.tagVersion("feed:public")));
    expect(JSON.parse((await h.direct.get("fresco:c:feed:recent:20"))!)).toEqual({ v: page, t: { "feed:public": version } });
    expect(await h.direct.pttl(redisKeys.tagVersion("feed:public"))).toBe(-1);
    expect(await h.direct.pttl("fresco:c:feed:recent:20")).toBeGreaterThan(50_000);
  });

  it("serves a hit in one HTTP request: one MGET of the entry and its tag versions", async () => {
    const cache = h.newCache();
    const loader = jest.fn(async () => ({ title: "sunset" }));
    const params = { historyId: "h1" };
    await cache.getOrLoad(families.generation, params, loader);
    h.reset();
    for (let i = 0; i < 20; i++) expect(await cache.getOrLoad(families.generation, params, loader)).toEqual({ title: "sunset" });

    expect(loader).toHaveBeenCalledTimes(1);
    expect(h.requests).toHaveLength(20);
    for (const request of h.requests) {
      expect(request.commands).toEqual([["MGET", "fresco:c:generation:h1", "fresco:tagv:generation:h1"]]);
    }
    expect(cache.metrics()).toMatchObject({ hits: 20, misses: 1, staleVersionMisses: 0, loads: 1, errors: 0 });
  });

  it("returns values exactly as loaded, strings that look like numbers or JSON included, whatever the client's deserialization", async () => {
    const values: unknown[] = [
      "123",
      "007",
      "1e3",
      "-0",
      "true",
      "null",
      "",
      '{"x":1}',
      "[1]",
      12.5,
      0,
      false,
      null,
      [],
      {},
      { n: "42", a: ["1", 2] },
      "ünïcode ✓",
    ];
    const cache = h.newCache();
    const raw = h.newCache({ redis: h.client({ automaticDeserialization: false }) });
    for (const [i, value] of values.entries()) {
      const params = { uid: `u${i}` };
      expect(await cache.getOrLoad(families.userProfile, params, async () => value)).toStrictEqual(value);
      expect(await cache.getOrLoad(families.userProfile, params, async () => "reloaded")).toStrictEqual(value);
      expect(await raw.getOrLoad(families.userProfile, params, async () => "reloaded")).toStrictEqual(value);
    }
    expect(cache.metrics()).toMatchObject({ hits: values.length, loads: values.length });
    expect(raw.metrics()).toMatchObject({ hits: values.length, loads: 0 });
  });

  it("jitters TTLs within ±10% (deps.random pins it)", async () => {
    const ttlMs = families.generation.ttlSeconds * 1000;
    const pttl = (historyId: string) => h.direct.pttl(entryKey(families.generation, { historyId }));
    await h.newCache({ random: () => 0 }).getOrLoad(families.generation, { historyId: "low" }, async () => 1);
    await h.newCache({ random: () => 0.999999 }).getOrLoad(families.generation, { historyId: "high" }, async () => 1);
    await h.newCache({ random: () => 0.5 }).getOrLoad(families.generation, { historyId: "mid" }, async () => 1);
    const slack = 2_000; // time between the store and the PTTL
    expect(await pttl("low")).toBeLessThanOrEqual(0.9 * ttlMs);
    expect(await pttl("low")).toBeGreaterThan(0.9 * ttlMs - slack);
    expect(await pttl("high")).toBeLessThanOrEqual(1.1 * ttlMs);
    expect(await pttl("high")).toBeGreaterThan(1.1 * ttlMs - slack);
    expect(await pttl("mid")).toBeGreaterThan(ttlMs - slack);

    const cache = h.newCache({ timeoutMs: 5_000 });
    const ids = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await Promise.all(ids.map((historyId) => cache.getOrLoad(families.generation, { historyId }, async () => historyId)));
    const ttls = await Promise.all(ids.map(pttl));
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(0.9 * ttlMs - slack);
      expect(ttl).toBeLessThanOrEqual(1.1 * ttlMs);
    }
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(0.05 * ttlMs); // they do spread
  });
});

describe("invalidate", () => {
  it("is one INCR per tag in one request, whatever the number of cached keys; entries then reload lazily", async () => {
    const cache = h.newCache({ timeoutMs: 5_000 }); // 500 concurrent fills: not a latency test
    const page = (i: number) => ({ ...firstPage, cursor: `c${i}` });
    await Promise.all(Array.from({ length: 500 }, (_, i) => cache.getOrLoad(families.feedPage, page(i), async () => `old ${i}`)));
    const before = Number(await h.direct.get(redisKeys.tagVersion("feed:public")));
    const keysBefore = await h.direct.dbsize();
    h.reset();

    expect(await cache.invalidate(["feed:public"])).toBe("bumped");
    expect(h.requests).toEqual([{ path: "/pipeline", commands: [["INCR", "fresco:tagv:feed:public"]] }]);
    expect(Number(await h.direct.get(redisKeys.tagVersion("feed:public")))).toBe(before + 1);
    expect(await h.direct.dbsize()).toBe(keysBefore); // nothing scanned, nothing deleted

    h.reset();
    expect(await cache.invalidate(["feed:public", "user:u1", "feed:public"])).toBe("bumped");
    expect(h.requests).toEqual([
      {
        path: "/pipeline",
        commands: [
          ["INCR", "fresco:tagv:feed:public"],
          ["INCR", "fresco:tagv:user:u1"],
        ],
      },
    ]);

    const misses = cache.metrics().staleVersionMisses;
    for (const i of [0, 250, 499]) expect(await cache.getOrLoad(families.feedPage, page(i), async () => `new ${i}`)).toBe(`new ${i}`);
    expect(cache.metrics().staleVersionMisses).toBe(misses + 3);
    expect(await cache.getOrLoad(families.feedPage, page(250), async () => "again")).toBe("new 250"); // stored under the new version
    expect(cache.metrics().errors).toBe(0);
  });

  it("an entry written under an older version is a stale-version miss; so is one whose version counter vanished", async () => {
    const cache = h.newCache();
    const params = { historyId: "h2" };
    await cache.getOrLoad(families.generation, params, async () => "v1");
    await cache.invalidate(["generation:h2"]);
    expect(await cache.getOrLoad(families.generation, params, async () => "v2")).toBe("v2");
    expect(cache.metrics()).toMatchObject({ staleVersionMisses: 1 });

    // Eviction or a flush of the counter alone must not make old entries current again.
    await h.direct.del(redisKeys.tagVersion("generation:h2"));
    expect(await cache.getOrLoad(families.generation, params, async () => "v3")).toBe("v3");
    expect(cache.metrics()).toMatchObject({ staleVersionMisses: 2 });
    await cache.invalidate(["generation:h2"]);
    expect(await cache.getOrLoad(families.generation, params, async () => "v4")).toBe("v4");
  });
});

// Last: looks at every command this suite sent.
describe("no key scans", () => {
  it("never sent KEYS or SCAN", () => {
    expect(h.commandNames.size).toBeGreaterThan(3);
    expect([...h.commandNames].filter((c) => /KEYS|SCAN/.test(c))).toEqual([]);
  });
});
