import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { Timestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// generations: public read, no client writes. mirrorQueue and cacheInvalidations: server only.

describe("firestore.rules: the mirror's collections", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("mirror");
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore();
      const createdAt = Timestamp.now();
      await db
        .doc("generations/h1")
        .set({ prompt: "a red fox", model: "flux-1", aestheticScore: 0.9, createdAt, createdBy: { uid: "alice" } });
      await db
        .doc("generations/h2")
        .set({ prompt: "a blue fox", model: "flux-1", aestheticScore: 0.4, createdAt, createdBy: { uid: "bob" } });
      await db.doc("mirrorQueue/t1").set({ status: "pending", op: "upsert", uid: "alice", historyId: "h1", attempts: 0, createdAt });
      await db.doc("cacheInvalidations/c1").set({ tags: ["feed"], createdAt, attempts: 0 });
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

  describe.each([
    ["mirrorQueue", "t1"],
    ["cacheInvalidations", "c1"],
  ])("%s", (collection, id) => {
    it.each(["unauthenticated", "signed in"])("denies get, list, create, update and delete when %s", async (who) => {
      const db = contexts().find(([name]) => name === who)![1];
      await assertFails(db.doc(`${collection}/${id}`).get());
      await assertFails(db.collection(collection).get());
      await assertFails(db.collection(collection).where("status", "==", "pending").get());
      await assertFails(db.doc(`${collection}/new`).set({ status: "pending", createdAt: Timestamp.now() }));
      await assertFails(db.doc(`${collection}/${id}`).update({ attempts: 1 }));
      await assertFails(db.doc(`${collection}/${id}`).delete());
    });
  });
});
