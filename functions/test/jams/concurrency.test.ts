import { entryPath } from "../../src/jams/model";
import { voteDebugInfo } from "../../src/jams/queue";
import { vote } from "../../src/jams/vote";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { soakSize } from "../helpers/soak";
import { ballots, jamDeps, jamWithEntries } from "./harness";

// Participants voting at once (50 by default, 200 under FRESCO_SOAK=1), each switching several
// times: counts equal a recount of the vote documents, with no vote lost or doubled and no
// error reaching a participant.
describe("jam votes under concurrency", () => {
  triggersOffDuringSuite();
  beforeEach(clearFirestore);
  const participants = soakSize(50, 200);
  const rounds = 4;

  async function storm(jamId: string, entryFor: (p: number, round: number) => string) {
    const deps = jamDeps();
    const errors: unknown[] = [];
    await Promise.all(
      Array.from({ length: participants }, async (_, p) => {
        const mine = ballots(p, rounds);
        for (let round = 0; round < rounds; round++)
          await vote(deps, `voter-${p}`, { jamId, entryId: entryFor(p, round), value: mine[round]! }).catch((e: unknown) => errors.push(e));
      }),
    );
    return errors;
  }

  it("one hot entry: exact counts, equal on the entry document, its shards and a recount", async () => {
    const { jamId, entryIds } = await jamWithEntries(jamDeps(), 1);
    const errors = await storm(jamId, () => entryIds[0]!);
    expect(errors).toEqual([]);
    const finals = Array.from({ length: participants }, (_, p) => ballots(p, rounds).at(-1)!);
    const expected = { upvotes: finals.filter((v) => v === 1).length, downvotes: finals.filter((v) => v === -1).length };
    const info = await voteDebugInfo(db(), jamId, 1);
    expect(info.entries).toEqual([
      expect.objectContaining({ recount: { ...expected, score: expected.upvotes - expected.downvotes }, agree: true }),
    ]);
    expect((await db().doc(entryPath(jamId, entryIds[0]!)).get()).get("tallySeq")).toBe(
      (await db().collection(`jams/${jamId}/voteLog`).get()).size,
    );
  });

  it("20 entries: every entry's counts agree with its recount", async () => {
    const { jamId, entryIds } = await jamWithEntries(jamDeps(), 20);
    const errors = await storm(jamId, (p) => entryIds[p % 20]!);
    expect(errors).toEqual([]);
    const info = await voteDebugInfo(db(), jamId, 1);
    expect(info.entries).toHaveLength(20);
    expect(info.entries.filter((e) => !e.agree)).toEqual([]);
  });
});
