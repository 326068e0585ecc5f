import { collection, onSnapshot, type Unsubscribe } from "firebase/firestore";
import { voteDebugInfo } from "../../src/jams/queue";
import { vote } from "../../src/jams/vote";
import { createUser } from "../helpers/auth";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { signedInApp, type SignedInApp } from "../helpers/sdk";
import { waitFor } from "../helpers/wait";
import { ballots, jamDeps, jamWithEntries } from "./harness";

// Participants follow a jam with the Firebase JS SDK (no polling): every listener ends at the
// counts a recount of the vote documents gives, and a vote through the callable reaches them.
describe("jam listeners", () => {
  triggersOffDuringSuite();
  const apps: SignedInApp[] = [];
  beforeAll(async () => {
    await clearFirestore();
    for (const uid of ["listener-1", "listener-2", "listener-3"]) {
      await createUser(uid);
      apps.push(await signedInApp(uid, uid));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it("every listener ends at the server's counts after a burst of switching votes", async () => {
    const deps = jamDeps();
    const { jamId, entryIds } = await jamWithEntries(deps, 3);
    const seen = apps.map(() => new Map<string, string>());
    const stops: Unsubscribe[] = apps.map((app, i) =>
      onSnapshot(collection(app.firestore, `jams/${jamId}/entries`), (snap) =>
        snap.docs.forEach((d) => seen[i]!.set(d.id, `${d.get("upvotes")}/${d.get("downvotes")}`)),
      ),
    );
    try {
      await Promise.all(
        Array.from({ length: 60 }, async (_, p) => {
          for (const value of ballots(p, 3)) await vote(deps, `burst-${p}`, { jamId, entryId: entryIds[p % 3]!, value });
        }),
      );
      const info = await voteDebugInfo(db(), jamId, 1);
      expect(info.entries.every((e) => e.agree)).toBe(true);
      const server = new Map(info.entries.map((e) => [e.entryId, `${e.recount.upvotes}/${e.recount.downvotes}`]));
      await waitFor(() => seen.every((s) => [...server].every(([id, counts]) => s.get(id) === counts)) || undefined, {
        timeoutMs: 10_000,
        what: "every listener at the server's counts",
      });

      const result = await apps[0]!.call<{ upvotes: number; myVote: number }>("vote", { jamId, entryId: entryIds[0], value: -1 });
      const after = await voteDebugInfo(db(), jamId, 1);
      const first = after.entries.find((e) => e.entryId === entryIds[0])!;
      expect(result).toMatchObject({ upvotes: first.recount.upvotes, myVote: -1 });
      await waitFor(() => seen.every((s) => s.get(entryIds[0]!) === `${first.recount.upvotes}/${first.recount.downvotes}`) || undefined, {
        timeoutMs: 10_000,
        what: "the callable's vote at every listener",
      });
    } finally {
      stops.forEach((stop) => stop());
    }
  });
});
