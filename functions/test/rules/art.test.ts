import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { serverTimestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// Art sessions: the owner gets their session and reads (queries, listens to) their own
// artworks, naming their uid in the query; nobody else reads them; every write goes through
// the callables. Requests are closed (closed.test.ts): they hold the worker's internal errors.

const docs: Record<string, Record<string, unknown>> = {
  "artSessions/s1": { uid: "ann", createdAt: serverTimestamp(), lastUsedAt: serverTimestamp(), expiresAt: serverTimestamp() },
  "artworks/r1": {
    uid: "ann",
    sessionId: "s1",
    requestId: "r1",
    imageUrl: "https://img.test/r1.png",
    prompt: "p",
    createdAt: serverTimestamp(),
  },
};

describe("firestore.rules: art sessions", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("art");
    await env.withSecurityRulesDisabled(async (ctx) => {
      for (const [path, data] of Object.entries(docs)) await ctx.firestore().doc(path).set(data);
    });
  });
  afterAll(() => env.cleanup());

  it("lets the owner get their session and query their session's artworks", async () => {
    const db = env.authenticatedContext("ann").firestore();
    await assertSucceeds(db.doc("artSessions/s1").get());
    await assertSucceeds(db.doc("artworks/r1").get());
    const mine = await assertSucceeds(db.collection("artworks").where("uid", "==", "ann").where("sessionId", "==", "s1").get());
    expect(mine.docs.map((d) => d.id)).toEqual(["r1"]);
  });

  it("denies another user, a signed-out client, and a query that does not name the owner", async () => {
    for (const db of [env.authenticatedContext("bob").firestore(), env.unauthenticatedContext().firestore()])
      for (const path of Object.keys(docs)) await assertFails(db.doc(path).get());
    const bob = env.authenticatedContext("bob").firestore();
    await assertFails(bob.collection("artworks").where("sessionId", "==", "s1").get());
    await assertFails(env.authenticatedContext("ann").firestore().collection("artworks").get());
    await assertFails(env.authenticatedContext("ann").firestore().collection("artSessions").where("uid", "==", "ann").get());
  });

  it.each(Object.keys(docs))("denies every client write to %s, the owner's too", async (path) => {
    const db = env.authenticatedContext("ann").firestore();
    await assertFails(db.doc(path).set({ ...docs[path], touched: true }));
    await assertFails(db.doc(path).update({ touched: true }));
    await assertFails(db.doc(path).delete());
    await assertFails(db.doc(`${path}-new`).set(docs[path]!));
  });
});
