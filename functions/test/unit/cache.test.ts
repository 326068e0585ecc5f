import * as logs from "../../src/cache/logs";
import { decodeEntry, isCurrent, jitteredTtlMs } from "../../src/cache/entry";
import { redisKeys } from "../../src/cache/keys";
import { endpointCache } from "../../src/cache/endpoints";
import { entryKey, families, invalidationTable, tags, writes } from "../../src/cache/map";
import { CacheMetrics } from "../../src/cache/metrics";

// The cache's pure parts: key builders, tags, the entry format, TTL jitter, metrics.

const firstPage = { sort: "recent", limit: 20, cursor: null } as const;

describe("key builders and tags", () => {
  it("gives every parameter set its own key, under fresco:c:", () => {
    const keys = [
      entryKey(families.feedPage, firstPage),
      entryKey(families.feedPage, { ...firstPage, cursor: "" }),
      entryKey(families.feedPage, { ...firstPage, cursor: "a:b" }),
      entryKey(families.feedPage, { ...firstPage, limit: 2, cursor: "0:a:b" }),
      entryKey(families.feedPage, { ...firstPage, sort: "score" }),
      entryKey(families.generation, { historyId: "h1" }),
      entryKey(families.userCard, { uid: "h1" }),
      entryKey(families.userProfile, { uid: "h1", limit: 20, cursor: null }),
      entryKey(families.userProfile, { uid: "h1", limit: 20, cursor: "c" }),
      entryKey(families.me, { uid: "h1" }),
      entryKey(families.explore, { q: "h1", limit: 20, cursor: null }),
      entryKey(families.followingFeed, { uid: "h1", limit: 20, cursor: null }),
      entryKey(families.notifications, { uid: "h1", limit: 20, cursor: null }),
      entryKey(families.signupSelection, {}),
      entryKey(families.jamQueue, { jamId: "h1" }),
      entryKey(families.imageDetails, { historyId: "h1", cursor: null }),
      entryKey(families.viewerState, { uid: "h1", historyId: "h1" }),
      entryKey(families.viewerState, { uid: "h1:h1", historyId: "h1" }),
      entryKey(families.likedImages, { uid: "h1", limit: 20, cursor: null }),
      entryKey(families.myCollections, { uid: "h1" }),
      entryKey(families.collectionItems, { uid: "h1", collectionId: "h1", limit: 20, cursor: null }),
      entryKey(families.collectionItems, { uid: "h1:h1", collectionId: "20", limit: 20, cursor: null }),
      entryKey(families.mySets, { uid: "h1", filter: "f", limit: 20, cursor: null }),
      entryKey(families.set, { uid: "h1", historyId: "h1" }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys[0]).toBe("fresco:c:feed:recent:20");
    for (const key of keys) expect(key).toMatch(/^fresco:c:/);
    expect(families.feedPage.tags()).toEqual(["feed:public"]);
    expect(families.generation.tags({ historyId: "h1" })).toEqual(["generation:h1"]);
    expect(families.userProfile.tags({ uid: "u1", limit: 1, cursor: null })).toEqual(["profile:u1", "user:u1"]);
    expect(families.userCard.tags({ uid: "u1" })).toEqual(["card:u1"]);
    expect(families.signupSelection.tags()).toEqual(["signup:images"]);
    expect(Object.values(families).map((f) => f.ttlSeconds)).toEqual([
      60, 300, 300, 300, 300, 60, 60, 300, 3600, 300, 300, 300, 300, 300, 300, 300, 300,
    ]);
    // Two ids in one tag never collide: each is encoded.
    expect(tags.viewerState("a:b", "c")).not.toBe(tags.viewerState("a", "b:c"));
  });
});

describe("writes", () => {
  // The write-up's invalidation tables, its "missing" rows included: each (write, read) must be
  // a declared pair, so the generated matrix proves it on the emulator (removing a tag from
  // the map would silently drop the pair from the matrix; this list would then fail).
  it.each([
    ["imageLiked", "likedImages"],
    ["imageLiked", "imageDetails"],
    ["imageLiked", "viewerState"],
    ["commentAdded", "imageDetails"],
    ["commentDeleted", "imageDetails"],
    ["commentDeleted", "viewerState"],
    ["commentLiked", "imageDetails"],
    ["commentLiked", "viewerState"],
    ["collectionChanged", "myCollections"],
    ["collectionChanged", "collectionItems"],
    ["collectionChanged", "viewerState"],
    ["collectionItemsChanged", "myCollections"],
    ["collectionItemsChanged", "collectionItems"],
    ["collectionItemsChanged", "viewerState"],
    ["setsChanged", "mySets"],
    ["setsChanged", "set"],
    ["mirrorChanged", "feedPage"],
    ["mirrorChanged", "explore"],
    ["mirrorChanged", "userProfile"],
    ["mirrorChanged", "followingFeed"],
    ["mirrorChanged", "likedImages"],
    ["mirrorChanged", "collectionItems"],
    ["mirrorChanged", "imageDetails"],
    ["coverChanged", "myCollections"],
    ["profileUpdated", "imageDetails"],
    ["profileUpdated", "likedImages"],
    ["profileUpdated", "collectionItems"],
  ])("%s makes %s stale", (write, read) => {
    expect(invalidationTable().find((row) => row.write === write)?.reads).toContain(read);
  });

  it("deleteSet and the source trigger make the writes the freshness table needs", () => {
    expect(endpointCache.deleteSet).toEqual({ writes: ["setsChanged", "mirrorChanged", "coverChanged"] });
    expect(endpointCache.onGenerationHistoryWritten).toEqual({ writes: ["mirrorChanged", "setsChanged"] });
  });

  it("a mirror change makes its item, the feed and its owner stale", () => {
    expect(writes.mirrorChanged.tags({ uid: "u1", historyId: "h1" })).toEqual([tags.generation("h1"), tags.feed(), tags.user("u1")]);
    expect(writes.signupSelected.tags()).toEqual(families.signupSelection.tags());
    expect(writes.jamChanged.tags({ jamId: "j1" })).toEqual(families.jamQueue.tags({ jamId: "j1" }));
  });

  it("every Redis key Fresco writes starts with fresco:", () => {
    for (const key of [redisKeys.entry("x"), redisKeys.tagVersion("t"), redisKeys.lock("x", "1"), redisKeys.healthProbe])
      expect(key).toMatch(/^fresco:/);
  });
});

describe("entries", () => {
  it("decode from a string or an already-parsed object, and refuse anything else", () => {
    const entry = { v: "123", t: { a: 5 } };
    expect(decodeEntry(JSON.stringify(entry))).toEqual(entry);
    expect(decodeEntry(entry)).toEqual(entry);
    for (const raw of ["{", "123", 123, null, { v: 1 }]) expect(decodeEntry(raw)).toBeUndefined();
  });

  it("are current only under exactly the versions they were stored with; a lost counter is never current", () => {
    const entry = { v: 1, t: { a: 5, b: 7 } };
    expect(isCurrent(entry, ["a", "b"], ["5", "7"])).toBe(true);
    expect(isCurrent(entry, ["a", "b"], ["6", "7"])).toBe(false);
    expect(isCurrent(entry, ["a", "b"], ["5", null])).toBe(false);
  });

  it("TTLs are jittered within ±10%", () => {
    expect(jitteredTtlMs(100, 0)).toBe(90_000);
    expect(jitteredTtlMs(100, 0.5)).toBe(100_000);
    expect(jitteredTtlMs(100, 0.999999)).toBeLessThanOrEqual(110_000);
  });
});

describe("metrics", () => {
  it("logs one summary per window of calls and rate-limits error warnings", () => {
    let now = 0;
    const summary = jest.spyOn(logs, "summary").mockImplementation(() => undefined);
    const warn = jest.spyOn(logs, "redisError").mockImplementation(() => undefined);
    try {
      const metrics = new CacheMetrics(() => now, 100, 60_000, 10_000);
      for (let i = 0; i < 250; i++) {
        metrics.add(i % 2 ? "hits" : "misses");
        metrics.call();
      }
      expect(summary).toHaveBeenCalledTimes(2);
      expect(summary.mock.calls[0]![0]).toMatchObject({ hits: 50, misses: 50 });
      now = 61_000;
      metrics.call(); // the time window closes too
      expect(summary).toHaveBeenCalledTimes(3);

      for (let i = 0; i < 5; i++) metrics.error("read", new Error("down"));
      now += 10_000;
      metrics.error("read", new Error("down"));
      expect(warn.mock.calls.map((c) => c[2])).toEqual([0, 4]);
      expect(metrics.snapshot()).toMatchObject({ hits: 125, misses: 125, errors: 6 });
    } finally {
      summary.mockRestore();
      warn.mockRestore();
    }
  });
});
