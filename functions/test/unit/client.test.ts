import { partialMatchKey } from "@tanstack/query-core";
import { callables, endpointNames, httpEndpoints, type CallableName } from "../../../client/src/endpoints";
import { invalidatedBy, queryKeys } from "../../../client/src/query-keys";
import { invalidationTable } from "../../src/cache/map";
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

  it("invalidates the reads a write changes, and not another jam's", () => {
    const stale = invalidatedBy.vote!({ jamId: "j1", entryId: "e1", value: 1 });
    expect(stale.some((k) => matches(k, queryKeys.read("jamQueue", { jamId: "j1" })))).toBe(true);
    expect(stale.some((k) => matches(k, queryKeys.read("getVoteDebugInfo", { jamId: "j1", limit: 50 })))).toBe(true);
    expect(stale.some((k) => matches(k, queryKeys.read("jamQueue", { jamId: "j2" })))).toBe(false);
    const scored = invalidatedBy.updateAestheticScore!({ historyId: "h1", uid: "u", score: 5 });
    for (const key of [
      queryKeys.read("publicFeed", { sort: "score", limit: 50 }),
      queryKeys.read("publicFeed", { sort: "recent", limit: 20, cursor: "abc" }),
      queryKeys.read("publicGeneration", { id: "h1" }),
    ])
      expect(scored.some((k) => matches(k, key))).toBe(true);
    expect(scored.some((k) => matches(k, queryKeys.read("publicGeneration", { id: "h2" })))).toBe(false);
  });

  // Which server write action each client write makes, and which endpoint serves each cached
  // read family: with these, the client's invalidations must cover the server's map.
  const serverWrite: Partial<Record<CallableName, string>> = {
    updateAestheticScore: "mirrorChanged",
    retryDeadMirrorTasks: "mirrorChanged",
    vote: "jamChanged",
    addEntry: "jamChanged",
    closeJam: "jamChanged",
    runMaintenanceJob: "signupSelected",
  };
  // One read of the item, jam or list the sample write below touches, per cached family.
  const sampleReadOf: Record<string, readonly unknown[] | null> = {
    feedPage: queryKeys.read("publicFeed", { sort: "score", limit: 10 }),
    generation: queryKeys.read("publicGeneration", { id: "h" }),
    signupSelection: queryKeys.read("signupImages", {}),
    jamQueue: queryKeys.read("jamQueue", { jamId: "j" }),
    userProfile: null, // declared, no endpoint serves it yet
  };

  it.each(Object.entries(serverWrite))("%s invalidates every client read of what the server map says it changes", (write, action) => {
    const row = invalidationTable().find((r) => r.write === action)!;
    const stale = (invalidatedBy[write as CallableName] as unknown as (r: unknown) => Array<readonly unknown[]>)({
      jamId: "j",
      historyId: "h",
      uid: "u",
      score: 1,
    });
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
