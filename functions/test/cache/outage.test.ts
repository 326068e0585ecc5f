/**
 * Failing open: Redis errors, Redis too slow, Redis stopped and started again on the same
 * port. Reads keep answering from the loader (Firestore), invalidations go to the
 * cacheInvalidations outbox, and once Redis is back the outbox is replayed before any entry
 * is served again.
 */
import { Redis } from "@upstash/redis";
import { Timestamp } from "firebase-admin/firestore";
import { entryKey, families } from "../../src/cache/map";
import { redisKeys } from "../../src/cache/keys";
import { cacheInvalidations } from "../../src/cache/outbox";
import { clearFirestore, db } from "../helpers/firestore";
import { waitFor } from "../helpers/wait";
import { cacheHarnessForSuite, gate, type CacheHarness } from "./harness";

let h!: CacheHarness;
cacheHarnessForSuite((started) => (h = started));
beforeEach(async () => {
  await clearFirestore();
  if (!h.server.running) await h.server.start();
  await waitFor(async () => (await h.direct.flushdb()) === "OK", { what: "Redis" });
  h.setDelay(0);
});

const outbox = async () => (await db().collection(cacheInvalidations).get()).docs.map((d) => d.data());
const params = { historyId: "h-outage" };
const tag = "generation:h-outage";
/** The loader reads the source of truth, as the feed does. */
const fromFirestore = async () => (await db().doc("cacheTest/h-outage").get()).get("title") as string;
const setTitle = (title: string) => db().doc("cacheTest/h-outage").set({ title });

describe("Redis errors never reach the caller", () => {
  it("a client Redis refuses (wrong token) serves the loader and defers invalidations", async () => {
    const cache = h.newCache({ redis: new Redis({ url: h.bridge.url, token: "wrong", retry: false }) });
    await setTitle("from firestore");
    expect(await cache.getOrLoad(families.generation, params, fromFirestore)).toBe("from firestore");
    expect(await cache.invalidate([tag, tag])).toBe("deferred");
    expect(await outbox()).toEqual([
      { tags: [tag], createdAt: expect.any(Timestamp), attempts: 0, lastError: expect.stringMatching(/Unauthorized/) },
    ]);
    expect(cache.metrics().errors).toBeGreaterThanOrEqual(2);
  });

  it("nothing listening: fails fast", async () => {
    const cache = h.newCache({ redis: new Redis({ url: "http://127.0.0.1:1", token: "x", retry: false }) });
    const t0 = Date.now();
    expect(await cache.getOrLoad(families.generation, params, async () => "loaded")).toBe("loaded");
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it("a new instance's first call may take the first-call deadline (it opens the connection); later calls fail open after timeoutMs", async () => {
    await h.newCache().getOrLoad(families.generation, params, async () => "cached");
    const cache = h.newCache({ timeoutMs: 100, firstCallTimeoutMs: 1_000 });
    h.setDelay(400);
    let t0 = Date.now();
    expect(await cache.getOrLoad(families.generation, params, async () => "loaded")).toBe("cached");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(cache.metrics()).toMatchObject({ hits: 1, errors: 0 });
    t0 = Date.now();
    expect(await cache.getOrLoad(families.generation, params, async () => "loaded")).toBe("loaded");
    expect(Date.now() - t0).toBeLessThan(400);
    expect(cache.metrics()).toMatchObject({ hits: 1, errors: 1 });
  });

  it("Redis slower than the deadline: answers after ~timeoutMs, later calls skip Redis until it is probed again", async () => {
    const cache = h.newCache({ timeoutMs: 100 });
    await cache.getOrLoad(families.generation, params, async () => "cached");
    h.setDelay(1_000);

    let t0 = Date.now();
    expect(await cache.getOrLoad(families.generation, params, async () => "loaded")).toBe("loaded");
    expect(Date.now() - t0).toBeLessThan(500);
    t0 = Date.now();
    for (let i = 0; i < 10; i++) expect(await cache.getOrLoad(families.generation, params, async () => "loaded")).toBe("loaded");
    expect(Date.now() - t0).toBeLessThan(200); // no 100 ms wait per call while Redis is known bad
    expect(await cache.invalidate([tag])).toBe("deferred"); // bump deadline: 4 x timeoutMs
    expect(cache.metrics().errors).toBeGreaterThanOrEqual(2);

    h.setDelay(0);
    // Back to hits once a probe succeeds and the outbox is replayed; the deferred bump makes
    // "cached" stale, so it is never served again.
    await waitFor(
      async () => {
        const hits = cache.metrics().hits;
        expect(await cache.getOrLoad(families.generation, params, async () => "reloaded")).toBe("reloaded");
        return cache.metrics().hits > hits;
      },
      { what: "a hit" },
    );
    expect(await outbox()).toEqual([]);
  });

  it("loader errors are the caller's: they propagate, count no cache error, and release the lock", async () => {
    const cache = h.newCache();
    await expect(cache.getOrLoad(families.generation, params, async () => Promise.reject(new Error("firestore says no")))).rejects.toThrow(
      "firestore says no",
    );
    expect(cache.metrics().errors).toBe(0);
    await waitFor(async () => (await h.direct.keys("fresco:lock:*")).length === 0, { what: "the lock to be released" });
    expect(await cache.getOrLoad(families.generation, params, async () => "ok")).toBe("ok");
  });
});

// Without Redis there are no tag versions to tell a load that began before a write from one
// that began after it: the instance must not hand the older load's value to later callers.
describe("fail-open loads", () => {
  it("a load that started before a write is never shared with a caller that came after it; Firestore sees one load at a time", async () => {
    const cache = h.newCache({}, "down");
    const down = h.failRequests({ client: "down" }); // every Redis request of this instance fails
    await setTitle("old");
    const loads: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const aLoading = gate();
    const aRelease = gate();
    const loader = async () => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        const title = await fromFirestore();
        loads.push(title);
        if (loads.length === 1) {
          aLoading.open();
          await aRelease.promise; // A's load holds the old value while the write lands
        }
        return title;
      } finally {
        running -= 1;
      }
    };

    const a = cache.getOrLoad(families.generation, params, loader);
    await aLoading.promise;
    await setTitle("new"); // the write (its invalidation cannot reach this instance's Redis anyway)
    let laterDone = 0;
    const later = [cache.getOrLoad(families.generation, params, loader), cache.getOrLoad(families.generation, params, loader)].map((p) =>
      p.finally(() => (laterDone += 1)),
    );
    // Both later callers went through the failing Redis to the fail-open path...
    await waitFor(() => cache.metrics().misses === 3, { what: "the later callers to fail open" });
    // ...and wait there: they did not join A's load, and no second load runs beside it.
    expect(laterDone).toBe(0);
    expect(loads).toEqual(["old"]);

    aRelease.open();
    expect(await a).toBe("old"); // A asked before the write
    expect(await Promise.all(later)).toEqual(["new", "new"]); // one load, started after A's ended
    expect(loads).toEqual(["old", "new"]);
    expect(mostAtOnce).toBe(1);
    expect(cache.metrics()).toMatchObject({ loads: 2, hits: 0 });
    expect(down.failures()).toBeGreaterThanOrEqual(2); // A's read and the later callers' probe failed
  });
});

describe("replayOutbox", () => {
  it("bumps every tag in the outbox once and empties it; keeps the entries (attempts + 1) while Redis is down", async () => {
    const cache = h.newCache();
    const add = (tags: string[]) => db().collection(cacheInvalidations).add({ tags, createdAt: Timestamp.now(), attempts: 0 });
    await add(["user:a", "feed:public"]);
    await add(["feed:public"]);

    await h.server.stop();
    expect(await cache.replayOutbox()).toEqual({ replayed: 0, ok: false });
    expect((await outbox()).map((e) => e.attempts)).toEqual([1, 1]);

    await h.server.start();
    // Counters that exist (the restarted Redis is empty: set them), so a bump shows as +1.
    await waitFor(async () => (await h.direct.set(redisKeys.tagVersion("feed:public"), "100", "PX", 600_000)) === "OK", { what: "Redis" });
    await h.direct.set(redisKeys.tagVersion("user:a"), "7", "PX", 600_000);
    await waitFor(async () => (await cache.replayOutbox()).ok, { what: "a replay" });
    expect(await outbox()).toEqual([]);
    expect(await h.direct.get(redisKeys.tagVersion("feed:public"))).toBe("101"); // once, not once per entry
    expect(await h.direct.get(redisKeys.tagVersion("user:a"))).toBe("8");
  });
});

// Redis is stopped and started again on the same port (with an empty dataset).
describe("Redis stopped mid-test, then back", () => {
  it("reads answer from Firestore, invalidations wait in the outbox, and no stale entry is served once Redis is back", async () => {
    const cache = h.newCache();
    const key = entryKey(families.generation, params);
    await setTitle("v1");
    expect(await cache.getOrLoad(families.generation, params, fromFirestore)).toBe("v1");
    expect(await cache.getOrLoad(families.generation, params, fromFirestore)).toBe("v1");
    expect(cache.metrics()).toMatchObject({ hits: 1, loads: 1 });
    // What an Upstash database would still hold after an outage (this redis-server restarts empty).
    const entry = (await h.direct.get(key))!;
    const version = (await h.direct.get(redisKeys.tagVersion(tag)))!;

    await h.server.stop();
    await setTitle("v2");
    for (let i = 0; i < 5; i++) expect(await cache.getOrLoad(families.generation, params, fromFirestore)).toBe("v2");
    expect(await cache.invalidate([tag])).toBe("deferred");
    expect(await outbox()).toEqual([{ tags: [tag], createdAt: expect.any(Timestamp), attempts: 0, lastError: expect.any(String) }]);

    await h.server.start();
    await waitFor(async () => (await h.direct.ping()) === "PONG", { what: "Redis" });
    await h.direct.set(key, entry, "PX", 60_000); // the old entry, under the old version...
    await h.direct.set(redisKeys.tagVersion(tag), version); // ...is current unless the outbox is replayed

    await waitFor(
      async () => {
        expect(await cache.getOrLoad(families.generation, params, fromFirestore)).toBe("v2"); // never "v1"
        return (await outbox()).length === 0;
      },
      { what: "the outbox to be replayed" },
    );
    expect(Number(await h.direct.get(redisKeys.tagVersion(tag)))).toBe(Number(version) + 1);

    // Serving from the cache again.
    await waitFor(async () => JSON.parse((await h.direct.get(key)) ?? "{}").v === "v2", { what: "the new entry" });
    const before = cache.metrics();
    expect(await cache.getOrLoad(families.generation, params, fromFirestore)).toBe("v2");
    expect(cache.metrics()).toMatchObject({ hits: before.hits + 1, loads: before.loads });
  });
});
