/**
 * The cache's read path, entry format, TTLs and invalidation cost, against a real redis-server
 * behind the real Upstash bridge (with a counting proxy in front: see harness.ts).
 */
import { createHash } from "node:crypto";
import { bumpScript } from "../../src/cache/entry";
import { entryKey, families } from "../../src/cache/map";
import { redisKeys } from "../../src/cache/keys";
import { waitFor } from "../helpers/wait";
import { cacheHarnessForSuite, gate, type CacheHarness } from "./harness";

let h!: CacheHarness;
cacheHarnessForSuite((started) => (h = started));
// Redis only: nothing here reaches Firestore (errors stay 0, so nothing is deferred to the outbox),
// and clearFirestore costs ~5 s a test (re-enabling triggers), so it is left to the suites that need it.
beforeEach(async () => {
  await h.direct.flushdb();
  h.reset();
});

const firstPage = { sort: "recent", limit: 20, cursor: null } as const;
/** A tag counter lives twice its entries' longest TTL (TTL + 10% jitter); one a bump creates,
 *  twice the longest family's (signupSelection, 3600 s). */
const counterTtlMs = (ttlSeconds: number) => 2 * ttlSeconds * 1100;
const bumpedCounterTtlMs = counterTtlMs(3600);
const slack = 2_000; // time between a write and the PTTL that checks it
const bumpSha = createHash("sha1").update(bumpScript.source).digest("hex");
const version = async (tag: string) => Number(await h.direct.get(redisKeys.tagVersion(tag)));
const ttlOf = (tag: string) => h.direct.pttl(redisKeys.tagVersion(tag));
/** Redis's clock in microseconds, as the scripts read it. */
const redisMicros = async () => {
  const [seconds, micros] = await h.direct.time();
  return Number(seconds) * 1_000_000 + Number(micros);
};
/** Every key in Redis without a TTL (PTTL -1), found by SCAN (the cache itself never scans). */
async function keysWithoutTtl(): Promise<string[]> {
  const immortal: string[] = [];
  for await (const keys of h.direct.scanStream({ count: 1000 }) as AsyncIterable<string[]>) {
    const ttls = await Promise.all(keys.map((key) => h.direct.pttl(key)));
    keys.forEach((key, i) => ttls[i] === -1 && immortal.push(key));
  }
  return immortal;
}

describe("getOrLoad", () => {
  it("stores {v, t} under fresco:c:<key>, with tag versions under fresco:tagv:<tag> that outlive the entry", async () => {
    const cache = h.newCache();
    const page = { items: [{ id: "a" }], next: "cursor-1" };
    const loader = jest.fn(async () => page);
    const before = await redisMicros();
    expect(await cache.getOrLoad(families.feedPage, firstPage, loader)).toEqual(page);

    // No lock left behind; feedPage has joins (its creators' cards), stored beside the entry (here none).
    expect((await h.direct.keys("*")).sort()).toEqual(["fresco:c:feed:recent:20", "fresco:cj:feed:recent:20", "fresco:tagv:feed:public"]);
    expect(await h.direct.get("fresco:cj:feed:recent:20")).toBe("{}");
    const v = await version("feed:public");
    expect(JSON.parse((await h.direct.get("fresco:c:feed:recent:20"))!)).toEqual({ v: page, t: { "feed:public": v }, j: 1 }); // j: its value holds the join
    // A new counter starts at Redis's clock in microseconds, not at 1 (see "tag version counters").
    expect(v).toBeGreaterThanOrEqual(before);
    expect(v).toBeLessThanOrEqual(await redisMicros());
    expect(await ttlOf("feed:public")).toBeGreaterThan(counterTtlMs(60) - slack);
    expect(await ttlOf("feed:public")).toBeLessThanOrEqual(counterTtlMs(60));
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
      expect(await cache.getOrLoad(families.userCard, params, async () => value)).toStrictEqual(value);
      expect(await cache.getOrLoad(families.userCard, params, async () => "reloaded")).toStrictEqual(value);
      expect(await raw.getOrLoad(families.userCard, params, async () => "reloaded")).toStrictEqual(value);
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

describe("joins (what a value shows beyond its parameters: a page's creators' cards)", () => {
  const cardTags = ["card:ann", "card:bob"];
  const loadPage = (name: string, onLoaded?: () => Promise<void>) =>
    jest.fn(async (dependOn: (tags: string[]) => Promise<void>) => {
      await dependOn(cardTags);
      await onLoaded?.();
      return { items: [`ann is ${name}`, "bob"] };
    });

  it("a hit is one MGET in one request; a bumped card makes the page a miss, and the reload a hit again", async () => {
    const cache = h.newCache();
    const first = loadPage("ann");
    await cache.getOrLoad(families.feedPage, firstPage, first);
    expect(JSON.parse((await h.direct.get("fresco:cj:feed:recent:20"))!)).toEqual({
      "card:ann": String(await version("card:ann")),
      "card:bob": String(await version("card:bob")),
    });
    h.reset();
    expect(await cache.getOrLoad(families.feedPage, firstPage, first)).toEqual({ items: ["ann is ann", "bob"] });
    // The entry, its join and the versions of its tags and of the join's tags (remembered from the fill).
    expect(h.requests).toEqual([
      {
        path: "/pipeline",
        commands: [
          [
            "MGET",
            "fresco:c:feed:recent:20",
            "fresco:cj:feed:recent:20",
            "fresco:tagv:feed:public",
            "fresco:tagv:card:ann",
            "fresco:tagv:card:bob",
          ],
        ],
      },
    ]);

    await cache.invalidate(["card:ann"]); // a rename: one tag, whatever shows the user
    const second = loadPage("Ann");
    expect(await cache.getOrLoad(families.feedPage, firstPage, second)).toEqual({ items: ["ann is Ann", "bob"] });
    expect(await cache.getOrLoad(families.feedPage, firstPage, second)).toEqual({ items: ["ann is Ann", "bob"] });
    expect(second).toHaveBeenCalledTimes(1);
    expect(cache.metrics()).toMatchObject({ hits: 2, misses: 2, staleVersionMisses: 1 });
  });

  it("an instance that never read the page pays one more MGET for its join's versions, once; a bump between the two reads is a miss", async () => {
    await h.newCache().getOrLoad(families.feedPage, firstPage, loadPage("ann"));
    const other = h.newCache(); // another instance: it does not know the page's join yet
    h.reset();
    expect(await other.getOrLoad(families.feedPage, firstPage, loadPage("unused"))).toEqual({ items: ["ann is ann", "bob"] });
    expect(h.requests.map((r) => r.commands.map((c) => c[0]))).toEqual([["MGET"], ["MGET"]]);
    expect(h.requests[1]!.commands[0]).toEqual(["MGET", "fresco:tagv:card:ann", "fresco:tagv:card:bob"]);
    h.reset();
    expect(await other.getOrLoad(families.feedPage, firstPage, loadPage("unused"))).toEqual({ items: ["ann is ann", "bob"] });
    expect(h.requests).toHaveLength(1);

    // A third instance, and a rename that lands between its two reads: the second sees it, a miss.
    let mgets = 0;
    const client = h.client();
    const racing = new Proxy(client, {
      get(target, prop) {
        if (prop === "mget")
          return async (...keys: string[]) => {
            if (++mgets === 2) await h.newCache().invalidate(["card:ann"]);
            return target.mget(...keys);
          };
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const renamed = loadPage("Ann");
    expect(await h.newCache({ redis: racing }).getOrLoad(families.feedPage, firstPage, renamed)).toEqual({ items: ["ann is Ann", "bob"] });
    expect(renamed).toHaveBeenCalledTimes(1);
  });

  it("a card changed while the page loads (after dependOn) is not stored: the next read loads again", async () => {
    const cache = h.newCache();
    const racing = loadPage("old", async () => void (await cache.invalidate(["card:bob"])));
    expect(await cache.getOrLoad(families.feedPage, firstPage, racing)).toEqual({ items: ["ann is old", "bob"] });
    expect(await h.direct.exists("fresco:c:feed:recent:20")).toBe(0);
    const after = loadPage("new");
    expect(await cache.getOrLoad(families.feedPage, firstPage, after)).toEqual({ items: ["ann is new", "bob"] });
    expect(after).toHaveBeenCalledTimes(1);
  });

  it("a caller who comes once a fill has read its join's versions does not share that fill", async () => {
    const cache = h.newCache();
    await cache.invalidate(["feed:public"]); // the page's own tag exists: both reads see one version
    const named = gate();
    const release = gate();
    const old = cache.getOrLoad(families.feedPage, firstPage, async (dependOn) => {
      await dependOn(cardTags);
      named.open();
      await release.promise; // reading ann's card, as she was
      return "ann as she was";
    });
    await named.promise;
    await cache.invalidate(["card:ann"]); // her rename returns
    // The next read after the rename: not the running load's value.
    expect(await cache.getOrLoad(families.feedPage, firstPage, async () => "ann renamed")).toBe("ann renamed");
    release.open();
    expect(await old).toBe("ann as she was");
  });

  it("an entry of a joined family without the join mark (stored by the previous deploy's code) is a miss", async () => {
    const cache = h.newCache();
    await cache.getOrLoad(families.feedPage, firstPage, loadPage("a"));
    const stored = JSON.parse((await h.direct.get("fresco:c:feed:recent:20"))!) as { v: unknown; t: unknown };
    await h.direct.set("fresco:c:feed:recent:20", JSON.stringify({ v: "no creators", t: stored.t }), "PX", 60_000);
    const again = loadPage("b");
    expect(await cache.getOrLoad(families.feedPage, firstPage, again)).toEqual({ items: ["ann is b", "bob"] });
    expect(again).toHaveBeenCalledTimes(1);
  });

  it("an entry whose join is missing or unreadable is a miss, never a hit", async () => {
    const cache = h.newCache();
    await cache.getOrLoad(families.feedPage, firstPage, loadPage("a"));
    await h.direct.del("fresco:cj:feed:recent:20");
    const again = loadPage("b");
    expect(await cache.getOrLoad(families.feedPage, firstPage, again)).toEqual({ items: ["ann is b", "bob"] });
    await h.direct.set("fresco:cj:feed:recent:20", "not json", "PX", 60_000);
    expect(await cache.getOrLoad(families.feedPage, firstPage, loadPage("c"))).toEqual({ items: ["ann is c", "bob"] });
    expect(again).toHaveBeenCalledTimes(1);
  });

  it("refuses a dependency of a kind the family does not declare (a map error, not a silent miss)", async () => {
    const cache = h.newCache();
    await expect(
      cache.getOrLoad(families.generation, { historyId: "h" }, async (dependOn) => {
        await dependOn(["card:ann"]);
        return "item";
      }),
    ).rejects.toThrow("generation does not declare a join of card tags");
  });
});

describe("invalidate", () => {
  it("is one script run (EVALSHA) in one request, whatever the number of tags and cached keys; entries then reload lazily", async () => {
    const cache = h.newCache({ timeoutMs: 5_000 }); // 500 concurrent fills: not a latency test
    const page = (i: number) => ({ ...firstPage, cursor: `c${i}` });
    await Promise.all(Array.from({ length: 500 }, (_, i) => cache.getOrLoad(families.feedPage, page(i), async () => `old ${i}`)));
    const before = await version("feed:public");
    const keysBefore = await h.direct.dbsize();
    // Loaded as after any earlier bump, so EVALSHA needs no EVAL fallback (a NOSCRIPT round trip).
    expect(await h.client().scriptLoad(bumpScript.source)).toBe(bumpSha);
    h.reset();

    expect(await cache.invalidate(["feed:public"])).toBe("bumped");
    const ttlArg = String(bumpedCounterTtlMs);
    expect(h.requests).toEqual([{ path: "/pipeline", commands: [["EVALSHA", bumpSha, "1", "fresco:tagv:feed:public", ttlArg]] }]);
    expect(await version("feed:public")).toBe(before + 1);
    expect(await h.direct.dbsize()).toBe(keysBefore); // nothing scanned, nothing deleted

    h.reset();
    expect(await cache.invalidate(["feed:public", "user:u1", "feed:public"])).toBe("bumped");
    expect(h.requests).toEqual([
      { path: "/pipeline", commands: [["EVALSHA", bumpSha, "2", "fresco:tagv:feed:public", "fresco:tagv:user:u1", ttlArg]] },
    ]);
    expect(await version("feed:public")).toBe(before + 2);

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

describe("tag version counters", () => {
  it("every key the cache writes has a TTL: the fill lock, the counters (created by a fill or by a bump) and the entry", async () => {
    const cache = h.newCache();
    const started = gate();
    const release = gate<string>();
    const filling = cache.getOrLoad(families.feedPage, firstPage, async () => {
      started.open();
      return release.promise;
    });
    await started.promise; // the lock is held while the loader runs
    const [lock] = await h.direct.keys("fresco:lock:*");
    expect(lock).toBe(`fresco:lock:feed:recent:20@${await version("feed:public")}`);
    expect(await h.direct.pttl(lock!)).toBeGreaterThan(0);
    expect(await h.direct.pttl(lock!)).toBeLessThanOrEqual(2_000);
    expect(await ttlOf("feed:public")).toBeGreaterThan(0); // created by the fill, before the load
    release.open("page");
    expect(await filling).toBe("page");
    expect(await h.direct.exists(lock!)).toBe(0); // released by the store
    expect(await h.direct.pttl(entryKey(families.feedPage, firstPage))).toBeGreaterThan(0);

    // A bump of a tag nobody has read yet creates its counter: with the longest family's TTL.
    expect(await cache.invalidate(["user:nobody-read-it"])).toBe("bumped");
    expect(await ttlOf("user:nobody-read-it")).toBeGreaterThan(bumpedCounterTtlMs - slack);
    // A bump of an existing counter keeps its TTL.
    const feedTtl = await ttlOf("feed:public");
    expect(await cache.invalidate(["feed:public"])).toBe("bumped");
    expect(await ttlOf("feed:public")).toBeGreaterThan(0);
    expect(await ttlOf("feed:public")).toBeLessThanOrEqual(feedTtl);

    // A loader that fails leaves no lock behind, only its tag counter: still no key without a TTL.
    await expect(cache.getOrLoad(families.generation, { historyId: "fails" }, async () => Promise.reject(new Error("no")))).rejects.toThrow(
      "no",
    );
    // (released in the background once the loader failed)
    await waitFor(async () => (await h.direct.keys("fresco:lock:*")).length === 0, { what: "the lock to be released" });
    expect(await h.direct.dbsize()).toBe(5); // entry, its join + counters of feed:public, user:nobody-read-it, generation:fails
    expect(await keysWithoutTtl()).toEqual([]);
  });

  it("a counter without a TTL (written before counters had one) keeps its version through a bump and gets a TTL on its next store", async () => {
    const cache = h.newCache();
    await h.direct.set(redisKeys.tagVersion("feed:public"), "41"); // no TTL
    await h.direct.set(redisKeys.tagVersion("user:old"), "7"); // no TTL
    expect(await cache.invalidate(["feed:public"])).toBe("bumped");
    expect(await version("feed:public")).toBe(42);
    expect(await cache.getOrLoad(families.feedPage, firstPage, async () => "page")).toBe("page");
    expect(await version("feed:public")).toBe(42);
    expect(await ttlOf("feed:public")).toBeGreaterThan(counterTtlMs(60) - slack);
    expect(await cache.getOrLoad(families.userProfile, { uid: "old", limit: 1, cursor: null }, async () => "profile")).toBe("profile");
    expect(await version("user:old")).toBe(7);
    expect(await ttlOf("user:old")).toBeGreaterThan(counterTtlMs(300) - slack);
    expect(await keysWithoutTtl()).toEqual([]);
  });

  it("the store refreshes a counter's TTL to at least twice the entry's, and never shortens a longer one", async () => {
    const cache = h.newCache();
    await cache.getOrLoad(families.feedPage, firstPage, async () => "page 1");
    await h.direct.pexpire(redisKeys.tagVersion("feed:public"), 1_000); // about to expire
    await cache.getOrLoad(families.feedPage, { ...firstPage, cursor: "c2" }, async () => "page 2"); // another entry, same tag
    expect(await ttlOf("feed:public")).toBeGreaterThan(counterTtlMs(60) - slack);
    expect(await ttlOf("feed:public")).toBeLessThanOrEqual(counterTtlMs(60));

    // Created by a bump (longest TTL): a store under it leaves it as it is.
    await cache.invalidate(["generation:long"]);
    await cache.getOrLoad(families.generation, { historyId: "long" }, async () => "item");
    expect(await ttlOf("generation:long")).toBeGreaterThan(bumpedCounterTtlMs - slack);
    expect(await cache.getOrLoad(families.generation, { historyId: "long" }, async () => "reloaded")).toBe("item"); // a hit
  });

  // A lost counter (evicted, expired, flushed: DEL does what an eviction does) must never make
  // an entry stored under an older version current, whichever operation meets it first.
  describe.each(["a fill", "a bump"])("a lost counter, re-created by %s", (first) => {
    it("never makes an old entry current, and starts above every older version", async () => {
      const cache = h.newCache();
      const params = { historyId: "lost" };
      const tag = "generation:lost";
      const key = entryKey(families.generation, params);
      expect(await cache.getOrLoad(families.generation, params, async () => "v1")).toBe("v1");
      for (let i = 0; i < 50; i++) await cache.invalidate([tag]); // older versions went up by 50
      expect(await cache.getOrLoad(families.generation, params, async () => "v2")).toBe("v2");
      const oldEntry = (await h.direct.get(key))!;
      const newest = await version(tag);
      expect(JSON.parse(oldEntry).t[tag]).toBe(newest);

      await h.direct.del(redisKeys.tagVersion(tag)); // evicted; the entry survives it
      const loader = jest.fn(async () => "v3");
      if (first === "a fill") {
        expect(await cache.getOrLoad(families.generation, params, loader)).toBe("v3"); // the old entry is a miss
        expect(loader).toHaveBeenCalledTimes(1);
      } else {
        expect(await cache.invalidate([tag])).toBe("bumped");
      }
      const recreated = await version(tag);
      expect(recreated).toBeGreaterThan(newest);
      expect(await ttlOf(tag)).toBeGreaterThan(0);

      // Even the old entry put back in place (a replica, a restore) is not current under it.
      await h.direct.set(key, oldEntry, "PX", 60_000);
      expect(await cache.getOrLoad(families.generation, params, async () => "v4")).toBe("v4");
      expect(cache.metrics().staleVersionMisses).toBeGreaterThanOrEqual(2);
      expect(await cache.getOrLoad(families.generation, params, async () => "never")).toBe("v4"); // and it caches again
    });
  });

  it("ttlScale shrinks entries and counters alike, and both expire", async () => {
    const scale = 0.002; // generation: 300 s -> 0.6 s (±10%), its counter 1.32 s
    const cache = h.newCache({ ttlScale: scale });
    expect(await cache.getOrLoad(families.generation, { historyId: "short" }, async () => "x")).toBe("x");
    const entryTtl = await h.direct.pttl(entryKey(families.generation, { historyId: "short" }));
    expect(entryTtl).toBeGreaterThan(0);
    expect(entryTtl).toBeLessThanOrEqual(300 * 1100 * scale);
    expect(await ttlOf("generation:short")).toBeGreaterThan(entryTtl);
    expect(await ttlOf("generation:short")).toBeLessThanOrEqual(counterTtlMs(300) * scale);
    await cache.invalidate(["user:short"]);
    expect(await ttlOf("user:short")).toBeGreaterThan(0);
    expect(await ttlOf("user:short")).toBeLessThanOrEqual(bumpedCounterTtlMs * scale);
    await h.direct.del(redisKeys.tagVersion("user:short")); // 16 s: not waited for
    await waitFor(async () => (await h.direct.dbsize()) === 0, { timeoutMs: 10_000, what: "the entry and its counter to expire" });
  });
});

// Last: looks at every command this suite sent.
describe("no key scans", () => {
  it("never sent KEYS or SCAN", () => {
    expect(h.commandNames.size).toBeGreaterThan(3);
    expect([...h.commandNames].filter((c) => /KEYS|SCAN/.test(c))).toEqual([]);
  });
});

describe("shared metrics", () => {
  it("adds each instance's closed window to today's counters in one hash with a TTL, not one write per read", async () => {
    let now = Date.parse("2026-11-22T10:00:00Z");
    const a = h.newCache({ now: () => now });
    const b = h.newCache({ now: () => now });
    const load = async () => "page";
    await a.getOrLoad(families.feedPage, firstPage, load); // miss
    await a.getOrLoad(families.feedPage, firstPage, load); // hit
    await b.getOrLoad(families.feedPage, firstPage, load); // hit
    expect(h.commandNames.has("HINCRBY")).toBe(false); // nothing shared before a window closes
    expect((await a.sharedMetrics()).counters).toEqual({});
    now += 61_000; // each window closes at the start of the instance's next call
    await a.getOrLoad(families.feedPage, firstPage, load);
    await b.getOrLoad(families.feedPage, firstPage, load);
    const shared = await waitFor(async () => {
      const m = await a.sharedMetrics();
      return m.counters.hits === 2 ? m : undefined;
    });
    expect(shared).toMatchObject({ day: "2026-11-22", counters: { hits: 2, misses: 1, loads: 1 } });
    expect(shared.counters.errors ?? 0).toBe(0);
    expect(await h.direct.ttl(redisKeys.metricsDay("2026-11-22"))).toBeGreaterThan(7 * 24 * 3600);
  });
});
