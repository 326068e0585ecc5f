import { partialMatchKey } from "@tanstack/query-core";
import { callables, endpointNames, httpEndpoints, type WriteName } from "../../../client/src/endpoints";
import { frescoQueries, type FrescoCaller } from "../../../client/src/query-cache";
import { invalidatedBy, queryKeys } from "../../../client/src/query-keys";
import { invalidationTable } from "../../src/cache/map";
import { waitFor } from "../helpers/wait";
import * as deployed from "../../src/index";

// The typed client (client/): one entry per deployed endpoint, and keys that its own
// invalidations match, checked with TanStack Query's own matcher.
describe("typed client", () => {
  const endpointsOf = (kind: "callableTrigger" | "httpsTrigger") =>
    Object.entries(deployed)
      .filter(([, fn]) => kind in ((fn as { __endpoint?: object }).__endpoint ?? {}))
      .map(([name]) => name)
      .sort();

  it("has an entry for every exported callable and HTTP function, and no other", () => {
    expect(Object.keys(callables).sort()).toEqual(endpointsOf("callableTrigger"));
    expect(Object.keys(httpEndpoints).sort()).toEqual(endpointsOf("httpsTrigger"));
    expect(endpointsOf("callableTrigger").length).toBeGreaterThan(10);
  });

  it("builds one key per request whatever the field order, and drops undefined fields", () => {
    expect(queryKeys.read("publicFeed", { sort: "score", limit: 10 })).toEqual(
      queryKeys.read("publicFeed", { limit: 10, sort: "score", cursor: undefined }),
    );
    expect(queryKeys.read("publicFeed", { sort: "score" })).not.toEqual(queryKeys.read("publicFeed", { sort: "recent" }));
  });

  const matches = (filter: readonly unknown[], key: readonly unknown[]) => partialMatchKey(key as unknown[], filter as unknown[]);

  it("a follow makes both users' profiles stale: the target's and the caller's own", () => {
    for (const write of ["followUser", "unfollowUser"] as const) {
      const stale = invalidatedBy[write]({ targetUid: "target" }, {} as never);
      for (const uid of ["target", "caller"])
        expect([write, uid, stale.some((k) => matches(k, queryKeys.read("userProfile", { uid, limit: 20 })))]).toEqual([write, uid, true]);
    }
  });

  it("invalidates the reads a write changes, and not another jam's", () => {
    const stale = invalidatedBy.vote({ jamId: "j1", entryId: "e1", value: 1 }, {} as never);
    expect(stale.some((k) => matches(k, queryKeys.read("jamQueue", { jamId: "j1" })))).toBe(true);
    expect(stale.some((k) => matches(k, queryKeys.read("getVoteDebugInfo", { jamId: "j1", limit: 50 })))).toBe(true);
    expect(stale.some((k) => matches(k, queryKeys.read("jamQueue", { jamId: "j2" })))).toBe(false);
    const scored = invalidatedBy.updateAestheticScore({ historyId: "h1", uid: "u", score: 5 }, {} as never);
    for (const key of [
      queryKeys.read("publicFeed", { sort: "score", limit: 50 }),
      queryKeys.read("publicFeed", { sort: "recent", limit: 20, cursor: "abc" }),
      queryKeys.read("publicGeneration", { id: "h1" }),
    ])
      expect(scored.some((k) => matches(k, key))).toBe(true);
    expect(scored.some((k) => matches(k, queryKeys.read("publicGeneration", { id: "h2" })))).toBe(false);
  });

  // The server write action each client write makes (null: none; it changes no cached read).
  // Complete by type: a new write callable does not compile until it is classified here.
  const serverWrite: Record<WriteName, string | null> = {
    updateAestheticScore: "mirrorChanged",
    retryDeadMirrorTasks: "mirrorChanged",
    runMaintenanceJob: "signupSelected",
    createJam: "jamChanged",
    closeJam: "jamChanged",
    addEntry: "jamChanged",
    vote: "jamChanged",
    createCanvasProject: null,
    applyCanvasOps: null,
    createCanvasMediaUpload: null,
    updateProfile: "profileUpdated",
    followUser: "followChanged",
    unfollowUser: "followChanged",
    markNotificationsRead: "notificationsChanged",
    deleteNotification: "notificationsChanged",
    likeImage: "imageLiked",
    unlikeImage: "imageLiked",
    addComment: "commentAdded",
    deleteComment: "commentDeleted",
    likeComment: "commentLiked",
    unlikeComment: "commentLiked",
    createCollection: "collectionChanged",
    updateCollection: "collectionChanged",
    deleteCollection: "collectionChanged",
    addToCollection: "collectionItemsChanged",
    removeFromCollection: "collectionItemsChanged",
    deleteSet: "setsChanged",
    startArtSession: null,
    generateArt: "creditsChanged",
    nextArtworks: null,
    recordImpressions: null,
  };
  // One read of the item, jam or list the sample write below touches, per cached family.
  const sampleReadOf: Record<string, readonly unknown[] | null> = {
    feedPage: queryKeys.read("publicFeed", { sort: "score", limit: 10 }),
    generation: queryKeys.read("publicGeneration", { id: "h" }),
    signupSelection: queryKeys.read("signupImages", {}),
    jamQueue: queryKeys.read("jamQueue", { jamId: "j" }),
    userProfile: queryKeys.read("userProfile", { uid: "u" }),
    userCard: queryKeys.read("publicFeed", { sort: "recent" }), // joined into every page that shows an author
    me: queryKeys.read("me", {}),
    explore: queryKeys.read("explore", { q: "cat" }),
    followingFeed: queryKeys.read("followingFeed", {}),
    notifications: queryKeys.read("listNotifications", {}),
    imageDetails: queryKeys.read("imageDetails", { id: "h" }),
    viewerState: queryKeys.read("myImageState", { historyId: "h" }),
    likedImages: queryKeys.read("likedImages", {}),
    myCollections: queryKeys.read("myCollections", {}),
    collectionItems: queryKeys.read("collectionItems", { collectionId: "c" }),
    mySets: queryKeys.read("mySets", { model: "m" }),
    set: queryKeys.read("getSet", { historyId: "h" }),
  };

  it("classifies exactly the write callables", () => {
    expect(Object.keys(serverWrite).sort()).toEqual(Object.keys(invalidatedBy).sort());
    const writes = Object.entries(callables).filter(([, c]) => c.effect === "write");
    expect(Object.keys(invalidatedBy).sort()).toEqual(writes.map(([n]) => n).sort());
  });

  const serverWrites = Object.entries(serverWrite).filter(([, action]) => action !== null);
  it.each(serverWrites)("%s invalidates every client read of what the server map says it changes", (write, action) => {
    const row = invalidationTable().find((r) => r.write === action)!;
    const sample = { jamId: "j", historyId: "h", uid: "u", score: 1, targetUid: "u", collectionId: "c", commentId: "k" };
    const invalidate = invalidatedBy[write as WriteName] as unknown as (r: unknown, s: unknown) => Array<readonly unknown[]>;
    const stale = invalidate(sample, sample);
    for (const family of row.reads) {
      expect(family in sampleReadOf ? "known" : `unknown family ${family}`).toBe("known");
      const read = sampleReadOf[family];
      if (read) expect([family, stale.some((k) => matches(k, read))]).toEqual([family, true]);
    }
  });

  it("names every endpoint once", () => {
    expect(new Set(endpointNames).size).toBe(endpointNames.length);
  });
});

describe("frescoQueries", () => {
  /** A caller whose answers the test releases one by one, in the order it chooses. */
  function scriptedCaller() {
    const pending: Array<{ name: string; resolve: (value: unknown) => void }> = [];
    const next = (name: string) => new Promise((resolve) => pending.push({ name, resolve }));
    return {
      api: { call: (name: string) => next(name), get: (name: string) => next(name) } as unknown as FrescoCaller,
      answer: async (name: string, value: unknown) => {
        await waitFor(() => pending.some((p) => p.name === name), { timeoutMs: 1000, what: `a call of ${name}` });
        const i = pending.findIndex((p) => p.name === name);
        pending.splice(i, 1)[0]!.resolve(value);
      },
    };
  }
  const runs = (...ids: string[]) => ({ runs: ids.map((runId) => ({ runId })) });

  it("serves a cached read until a write that changes it, then reads again", async () => {
    const { api, answer } = scriptedCaller();
    const { read, write } = frescoQueries(api);
    const first = read("listMaintenanceRuns", { limit: 20 });
    await answer("listMaintenanceRuns", runs());
    expect(await first).toEqual(runs());
    expect(await read("listMaintenanceRuns", { limit: 20 })).toEqual(runs()); // cached: no call made
    const job = write("runMaintenanceJob", { job: "refreshSignupImageCache", dryRun: true });
    await answer("runMaintenanceJob", { runId: "r1" });
    await job;
    const again = read("listMaintenanceRuns", { limit: 20 });
    await answer("listMaintenanceRuns", runs("r1"));
    expect(await again).toEqual(runs("r1"));
  });

  it("never serves a read answered before a write that returned while it was in flight", async () => {
    const { api, answer } = scriptedCaller();
    const { read, write } = frescoQueries(api);
    const slow = read("listMaintenanceRuns", { limit: 20 }); // in flight across the write
    const job = write("runMaintenanceJob", { job: "refreshSignupImageCache", dryRun: true });
    await answer("runMaintenanceJob", { runId: "r1" });
    await job;
    await answer("listMaintenanceRuns", runs()); // the slow read's old answer lands now
    const after = read("listMaintenanceRuns", { limit: 20 });
    await answer("listMaintenanceRuns", runs("r1"));
    expect(await after).toEqual(runs("r1"));
    expect(await slow).toEqual(runs("r1")); // its caller is asked again, too
  });
});
