import { onJamTallyWritten } from "../../src/jams";
import { entryPath, tallyPath } from "../../src/jams/model";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { waitFor } from "../helpers/wait";
import { jamDeps, jamWithEntries } from "./harness";

// The fold's backstop: a vote committed but its fold never ran (the instance died between
// the two). The shard's write trigger folds the entry, so listeners still end at the counts.
describe("onJamTallyWritten", () => {
  suiteWithTriggers();

  it("is a Firestore trigger on the tally shards, retried by the platform", () => {
    expect(onJamTallyWritten.__endpoint).toMatchObject({
      eventTrigger: { eventFilters: {}, eventFilterPathPatterns: { document: "jams/{jamId}/tallies/{shardId}" }, retry: true },
    });
  });

  it("folds an entry whose document lags its shards", async () => {
    const { jamId, entryIds } = await jamWithEntries(jamDeps(), 1);
    const entryId = entryIds[0]!;
    // What a vote's transaction leaves in the shards, without the fold that follows it.
    await db()
      .doc(tallyPath(jamId, entryId, 3))
      .set({ entryId, up: 2, down: 1, changes: 3 });
    const entry = await waitFor(
      async () => {
        const data = (await db().doc(entryPath(jamId, entryId)).get()).data()!;
        return data.tallySeq === 3 ? data : undefined;
      },
      { timeoutMs: 20_000, what: "the trigger's fold" },
    );
    expect(entry).toMatchObject({ upvotes: 2, downvotes: 1, score: 1, tallySeq: 3 });
  });
});
