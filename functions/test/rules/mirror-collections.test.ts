import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { serverTimestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// generations: public read, no client writes. The mirror's server-only collections
// (mirrorQueue, cacheInvalidations, historyOwners) are in closed.test.ts.

describe("firestore.rules: the mirror's collections", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("mirror");
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore();
      await db
        .doc("generations/h1")
        .set({ prompt: "a red fox", model: "flux-1", aestheticScore: 0.9, createdAt: serverTimestamp(), createdBy: { uid: "alice" } });
      await db
        .doc("generations/h2")
        .set({ prompt: "a blue fox", model: "flux-1", aestheticScore: 0.4, createdAt: serverTimestamp(), createdBy: { uid: "bob" } });
    });
  });
  afterAll(() => env.cleanup());

  const contexts = () =>
    [
      ["unauthenticated", env.unauthenticatedContext().firestore()],
      ["signed in", env.authenticatedContext("alice").firestore()],
    ] as const;

  describe("generations", () => {
    it("lets anyone get a mirror doc", async () => {
      for (const [, db] of contexts()) {
        const snap = await assertSucceeds(db.doc("generations/h1").get());
        expect(snap.get("prompt")).toBe("a red fox");
      }
    });

    it("lets anyone list and query the feed", async () => {
      for (const [, db] of contexts()) {
        const all = await assertSucceeds(db.collection("generations").get());
        expect(all.size).toBe(2);
        const feed = await assertSucceeds(
          db.collection("generations").orderBy("aestheticScore", "desc").orderBy("createdAt", "desc").limit(1).get(),
        );
        expect(feed.docs.map((d) => d.id)).toEqual(["h1"]);
      }
    });

    it("denies every client write, even by the item's author", async () => {
      for (const [, db] of contexts()) {
        await assertFails(db.doc("generations/new").set({ prompt: "x", createdBy: { uid: "alice" } }));
        await assertFails(db.doc("generations/h1").update({ aestheticScore: 1 }));
        await assertFails(db.doc("generations/h1").set({ prompt: "x" }, { merge: true }));
        await assertFails(db.doc("generations/h1").delete());
      }
    });
  });
});
