/**
 * Concurrency: a slow loader racing an invalidation (stale set), and stampedes on one key in
 * one instance and across instances. Real redis-server, real bridge; Firestore is not touched.
 */
import { entryKey, families } from "../../src/cache/map";
import { gate, sleep, cacheHarnessForSuite, type CacheHarness } from "./harness";

let h!: CacheHarness;
cacheHarnessForSuite((started) => (h = started));
beforeEach(async () => {
  await h.direct.flushdb();
});

/** Fails instead of hanging when a call waits on something it should not. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`still waiting after ${ms} ms`)))]);
}

describe("stale set", () => {
  const params = { historyId: "race" };
  const key = entryKey(families.generation, params);

  it("a load that started before an invalidation is never stored; the next read loads the new value", async () => {
    const reader = h.newCache();
    const writer = h.newCache(); // another function instance
    const started = gate();
    const release = gate<string>();
    const slow = reader.getOrLoad(families.generation, params, async () => {
      started.open();
      return release.promise; // read Firestore before the write...
    });
    await started.promise;
    expect(await writer.invalidate(["generation:race"])).toBe("bumped"); // ...the write lands and is invalidated...
    release.open("old"); // ...and only then does the slow load finish.

    expect(await slow).toBe("old"); // its own caller asked before the write
    expect(await h.direct.get(key)).toBeNull(); // refused: the tag moved while it loaded
    expect(await reader.getOrLoad(families.generation, params, async () => "new")).toBe("new");
    expect(await writer.getOrLoad(families.generation, params, async () => "never")).toBe("new");
  });

  it("a slow old load neither blocks a newer read nor overwrites its entry", async () => {
    const cache = h.newCache();
    const started = gate();
    const release = gate<string>();
    const slow = cache.getOrLoad(families.generation, params, async () => {
      started.open();
      return release.promise;
    });
    await started.promise;
    await cache.invalidate(["generation:race"]);

    // Same instance, same key, but newer versions: it must not join the old load.
    expect(
      await within(
        2_000,
        cache.getOrLoad(families.generation, params, async () => "new"),
      ),
    ).toBe("new");
    release.open("old");
    expect(await slow).toBe("old");

    expect(JSON.parse((await h.direct.get(key))!).v).toBe("new");
    const loads = cache.metrics().loads;
    expect(await cache.getOrLoad(families.generation, params, async () => "reloaded")).toBe("new");
    expect(cache.metrics().loads).toBe(loads); // a hit
  });
});

describe("stampede", () => {
  const params = { sort: "score", limit: 30, cursor: null } as const;

  it("200 concurrent misses in one instance run the loader once", async () => {
    const cache = h.newCache();
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await sleep(50);
      return { items: ["a", "b"] };
    };
    h.reset();
    const results = await Promise.all(Array.from({ length: 200 }, () => cache.getOrLoad(families.feedPage, params, loader)));
    expect(calls).toBe(1);
    for (const result of results) expect(result).toEqual({ items: ["a", "b"] });
    expect(cache.metrics()).toMatchObject({ misses: 200, loads: 1, errors: 0 });
    // Auto-pipelining folds the 200 reads into one request: read, lock, store.
    expect(h.requests.length).toBeLessThanOrEqual(5);
  });

  it("two instances sharing Redis run the loader at most twice, typically once", async () => {
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      const instances = [h.newCache(), h.newCache()];
      let calls = 0;
      const loader = async () => {
        calls += 1;
        await sleep(100);
        return `page ${round}`;
      };
      const page = { ...params, cursor: `round-${round}` };
      const results = await Promise.all(
        instances.flatMap((cache) => Array.from({ length: 100 }, () => cache.getOrLoad(families.feedPage, page, loader))),
      );
      expect(new Set(results)).toEqual(new Set([`page ${round}`]));
      rounds.push(calls);
    }
    process.stderr.write(`[stampede] loader calls per round, two instances x 100 calls: ${rounds.join(", ")}\n`);
    for (const calls of rounds) expect(calls).toBeLessThanOrEqual(2);
    expect(rounds.filter((calls) => calls === 1).length).toBeGreaterThanOrEqual(4);
  });

  it("the instance that lost the lock waits only briefly for a slow winner, then loads itself", async () => {
    const a = h.newCache();
    const b = h.newCache();
    const page = { ...params, cursor: "slow" };
    const started = gate();
    const release = gate<string>();
    const slow = a.getOrLoad(families.feedPage, page, async () => {
      started.open();
      return release.promise;
    });
    await started.promise; // a holds the lock
    const t0 = Date.now();
    expect(await b.getOrLoad(families.feedPage, page, async () => "b's")).toBe("b's");
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(1_000);
    release.open("a's");
    expect(await slow).toBe("a's");
  });
});
