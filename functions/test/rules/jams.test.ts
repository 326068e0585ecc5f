import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { serverTimestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// jams: signed-in participants read a jam and listen to its entries; every write goes
// through the callables; votes, tallies and the vote log are server-only.

const docs: Record<string, Record<string, unknown>> = {
  "jams/j1": { title: "jam", hostUid: "host", status: "open", entryCount: 1, createdAt: serverTimestamp() },
  "jams/j1/entries/e1": { title: "song", addedBy: "ann", upvotes: 1, downvotes: 0, score: 1, tallySeq: 1, createdAt: serverTimestamp() },
  "jams/j1/votes/e1_ann": { entryId: "e1", uid: "ann", value: 1 },
  "jams/j1/tallies/e1_0": { entryId: "e1", up: 1, down: 0, changes: 1 },
  "jams/j1/voteLog/l1": { uid: "ann", entryId: "e1", from: 0, to: 1, at: serverTimestamp() },
};

describe("firestore.rules: jams", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("jams");
    await env.withSecurityRulesDisabled(async (ctx) => {
      for (const [path, data] of Object.entries(docs)) await ctx.firestore().doc(path).set(data);
    });
  });
  afterAll(() => env.cleanup());

  it("lets a signed-in participant get the jam and list its entries", async () => {
    const db = env.authenticatedContext("bob").firestore();
    expect((await assertSucceeds(db.doc("jams/j1").get())).get("status")).toBe("open");
    expect((await assertSucceeds(db.collection("jams/j1/entries").get())).docs.map((d) => d.get("score"))).toEqual([1]);
  });

  it("denies a signed-out client", async () => {
    const db = env.unauthenticatedContext().firestore();
    await assertFails(db.doc("jams/j1").get());
    await assertFails(db.collection("jams/j1/entries").get());
  });

  it("denies listing every jam", async () => {
    await assertFails(env.authenticatedContext("bob").firestore().collection("jams").get());
  });

  it.each(["jams/j1/votes/e1_ann", "jams/j1/tallies/e1_0", "jams/j1/voteLog/l1"])(
    "keeps %s server-only, even for its voter",
    async (path) => {
      const db = env.authenticatedContext("ann").firestore();
      await assertFails(db.doc(path).get());
      await assertFails(db.collection(path.slice(0, path.lastIndexOf("/"))).get());
    },
  );

  it.each(Object.keys(docs))("denies every client write to %s", async (path) => {
    for (const uid of ["ann", "host"]) {
      const db = env.authenticatedContext(uid).firestore();
      await assertFails(db.doc(path).set({ ...docs[path], touched: true }));
      await assertFails(db.doc(path).update({ touched: true }));
      await assertFails(db.doc(path).delete());
      await assertFails(db.doc(`${path}-new`).set(docs[path]!));
    }
  });
});
