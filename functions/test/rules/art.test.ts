import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { serverTimestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// Art sessions: the owner gets their session and reads (queries, listens to) their own requests
// and artworks, naming their uid in the query; nobody else reads them; every write goes
// through the callables (credits and the pool's impressions are server-side).

const docs: Record<string, Record<string, unknown>> = {
  "artSessions/s1": { uid: "ann", createdAt: serverTimestamp(), lastUsedAt: serverTimestamp(), expiresAt: serverTimestamp() },
  "artRequests/r1": { uid: "ann", sessionId: "s1", status: "queued", prompt: "p", cost: 1, attempt: 1, failures: 0 },
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

  it("lets the owner get their session and query their session's requests and artworks", async () => {
    const db = env.authenticatedContext("ann").firestore();
    await assertSucceeds(db.doc("artSessions/s1").get());
    for (const collection of ["artRequests", "artworks"]) {
      await assertSucceeds(db.doc(`${collection}/r1`).get());
      const mine = await assertSucceeds(db.collection(collection).where("uid", "==", "ann").where("sessionId", "==", "s1").get());
      expect(mine.docs.map((d) => d.id)).toEqual(["r1"]);
    }
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
