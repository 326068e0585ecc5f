import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { deleteField, serverTimestamp, Timestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";
import { type Data, invalidItems, maxItem, minimalItem, validItem, validVariants } from "./item-fixtures";

// generationHistory/{uid}/items/{historyId}: owners only, fields bounded (item-fixtures.ts
// has the cases), times are the write's request.time, aestheticScore/aestheticScoreFor are
// the admins' (server-only), and a historyId registered to another user in historyOwners
// is theirs. Every deny case starts from a valid item and changes one thing, so it fails
// for that reason alone.

const itemPath = (uid: string, historyId: string) => `generationHistory/${uid}/items/${historyId}`;

/** What the admin callable writes on a scored item. */
const SCORED = { aestheticScore: 0.7, aestheticScoreFor: "scored-v0" };
const RESCORED = { aestheticScore: 1, aestheticScoreFor: "scored-v1" };

describe("firestore.rules: generationHistory/{uid}/items", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("history");
  });
  afterAll(() => env.cleanup());
  beforeEach(() => env.clearFirestore());

  const alice = () => env.authenticatedContext("alice").firestore();
  const bob = () => env.authenticatedContext("bob").firestore();
  const anonymous = () => env.unauthenticatedContext().firestore();
  const aliceItem = () => alice().doc(itemPath("alice", "h1"));

  /** Writes a doc bypassing rules, as the server would. */
  async function serverWrite(path: string, data: Data): Promise<void> {
    await env.withSecurityRulesDisabled((ctx) => ctx.firestore().doc(path).set(data));
  }

  /** Seeds alice's item h1 and returns its stored createdAt. */
  async function seed(data: Data = validItem("alice")): Promise<Timestamp> {
    let createdAt: Timestamp | undefined;
    await env.withSecurityRulesDisabled(async (ctx) => {
      const ref = ctx.firestore().doc(itemPath("alice", "h1"));
      await ref.set(data);
      createdAt = (await ref.get()).get("createdAt") as Timestamp;
    });
    return createdAt!;
  }

  describe("create", () => {
    it("lets the owner create a valid item with every field a client may write", async () => {
      await assertSucceeds(aliceItem().set(validItem("alice")));
    });

    it("lets the owner create a minimal item (required fields only)", async () => {
      await assertSucceeds(aliceItem().set(minimalItem("alice")));
    });

    it("stores serverTimestamp() as the write's time", async () => {
      await assertSucceeds(aliceItem().set(validItem("alice")));
      const snap = await aliceItem().get();
      expect(snap.get("createdAt")).toBeInstanceOf(Timestamp);
      expect(snap.get("updatedAt")).toEqual(snap.get("createdAt"));
    });

    it.each(validVariants.map((v) => [v.name, v.overrides] as const))("accepts %s", async (_name, overrides) => {
      await assertSucceeds(aliceItem().set(validItem("alice", overrides("alice"))));
    });

    it("accepts the largest item, and 50 of them as JSON stay under 700,000 bytes", async () => {
      const max = maxItem("alice");
      await assertSucceeds(aliceItem().set(max));
      const stored = (await aliceItem().get()).data();
      const page = JSON.stringify(Array.from({ length: 50 }, () => stored));
      expect(Buffer.byteLength(page, "utf8")).toBeLessThan(700_000);
    });

    it.each(invalidItems.map((c) => [c.name, c.kind, c.overrides] as const))("denies %s (%s)", async (_name, _kind, overrides) => {
      await assertFails(aliceItem().set(validItem("alice", overrides("alice"))));
    });

    it("denies writing into another user's history, whoever createdBy names", async () => {
      await assertFails(alice().doc(itemPath("bob", "h1")).set(validItem("alice")));
      await assertFails(alice().doc(itemPath("bob", "h1")).set(validItem("bob")));
    });

    it("denies an unauthenticated create", async () => {
      await assertFails(anonymous().doc(itemPath("alice", "h1")).set(validItem("alice")));
    });
  });

  describe("update", () => {
    let createdAt: Timestamp;
    beforeEach(async () => {
      createdAt = await seed(validItem("alice", SCORED));
    });

    /** A valid full rewrite of the seeded item: createdAt and the admin fields kept. */
    const rewrite = (overrides: Data = {}) => validItem("alice", { createdAt, ...SCORED, ...overrides });

    it("lets the owner change prompt and isPublic of a scored item", async () => {
      await assertSucceeds(aliceItem().update({ prompt: "a blue fox", isPublic: false, updatedAt: serverTimestamp() }));
    });

    it("lets the owner rewrite the whole item, keeping createdAt and the admin fields", async () => {
      await assertSucceeds(aliceItem().set(rewrite({ prompt: "again" })));
    });

    it("lets the owner change their username and photo", async () => {
      const createdBy = { uid: "alice", username: "alice2", photoURL: "https://cdn.example/alice2.png" };
      await assertSucceeds(aliceItem().update({ createdBy, updatedAt: serverTimestamp() }));
    });

    it.each(invalidItems.map((c) => [c.name, c.kind, c.overrides] as const))(
      "denies a rewrite with %s (%s)",
      async (_name, _kind, overrides) => {
        await assertFails(aliceItem().set(rewrite(overrides("alice"))));
      },
    );

    describe("createdAt never changes", () => {
      it("denies createdAt set to the write's time (a rewrite with serverTimestamp())", async () => {
        await assertFails(aliceItem().set(rewrite({ createdAt: serverTimestamp() })));
      });

      it("denies createdAt moved by a millisecond", async () => {
        const moved = Timestamp.fromMillis(createdAt.toMillis() - 1);
        await assertFails(aliceItem().update({ createdAt: moved, updatedAt: serverTimestamp() }));
      });

      it("denies removing createdAt", async () => {
        await assertFails(aliceItem().update({ createdAt: deleteField(), updatedAt: serverTimestamp() }));
      });
    });

    describe("updatedAt is the write's time", () => {
      it("denies an update that leaves updatedAt stale", async () => {
        await assertFails(aliceItem().update({ prompt: "a blue fox" }));
      });

      it("denies an update that sets updatedAt to a client time", async () => {
        await assertFails(aliceItem().update({ prompt: "a blue fox", updatedAt: Timestamp.now() }));
      });

      it("denies removing updatedAt", async () => {
        await assertFails(aliceItem().update({ prompt: "a blue fox", updatedAt: deleteField() }));
      });
    });

    it("denies changing createdBy.uid", async () => {
      await assertFails(aliceItem().update({ createdBy: { uid: "bob" }, updatedAt: serverTimestamp() }));
      await assertFails(aliceItem().update({ "createdBy.uid": "bob", updatedAt: serverTimestamp() }));
    });

    describe.each(["aestheticScore", "aestheticScoreFor"] as const)("%s (admins only)", (field) => {
      it("denies changing it", async () => {
        await assertFails(aliceItem().update({ [field]: RESCORED[field], updatedAt: serverTimestamp() }));
      });

      it("denies removing it", async () => {
        await assertFails(aliceItem().update({ [field]: deleteField(), updatedAt: serverTimestamp() }));
        await assertFails(aliceItem().set(rewrite({ [field]: undefined })));
      });

      it("denies adding it to an unscored item", async () => {
        await seed(validItem("alice"));
        await assertFails(aliceItem().update({ [field]: SCORED[field], updatedAt: serverTimestamp() }));
      });
    });

    it("denies updates by another user or unauthenticated", async () => {
      for (const db of [bob(), anonymous()]) {
        await assertFails(db.doc(itemPath("alice", "h1")).update({ prompt: "mine now", updatedAt: serverTimestamp() }));
      }
    });
  });

  describe("historyOwners: an id registered to another user is theirs", () => {
    const register = (historyId: string, uid: string) => serverWrite(`historyOwners/${historyId}`, { uid, claimedAt: serverTimestamp() });

    it("denies creating an item under an id registered to another user", async () => {
      await register("h1", "bob");
      await assertFails(aliceItem().set(validItem("alice")));
    });

    it("denies updating an item whose id was registered to another user", async () => {
      const createdAt = await seed();
      await register("h1", "bob");
      await assertFails(aliceItem().update({ prompt: "still mine?", updatedAt: serverTimestamp() }));
      await assertFails(aliceItem().set(validItem("alice", { createdAt })));
    });

    it("still lets the owner delete such an item", async () => {
      await seed();
      await register("h1", "bob");
      await assertSucceeds(aliceItem().delete());
    });

    it("lets the user an id is registered to create and update under it", async () => {
      await register("h1", "alice");
      await assertSucceeds(aliceItem().set(validItem("alice")));
      await assertSucceeds(aliceItem().update({ prompt: "a blue fox", updatedAt: serverTimestamp() }));
    });

    it("allows an unregistered id (another id being registered changes nothing)", async () => {
      await register("h2", "bob");
      await assertSucceeds(aliceItem().set(validItem("alice")));
      await assertSucceeds(aliceItem().update({ prompt: "a blue fox", updatedAt: serverTimestamp() }));
    });

    it("denies clients reading or writing the registry", async () => {
      await register("h1", "alice");
      for (const db of [alice(), bob(), anonymous()]) {
        await assertFails(db.doc("historyOwners/h1").get());
        await assertFails(db.collection("historyOwners").get());
        await assertFails(db.doc("historyOwners/h1").set({ uid: "bob", claimedAt: serverTimestamp() }));
        await assertFails(db.doc("historyOwners/h2").set({ uid: "alice", claimedAt: serverTimestamp() }));
        await assertFails(db.doc("historyOwners/h1").delete());
      }
    });
  });

  describe("read and delete", () => {
    beforeEach(() => seed());

    it("lets the owner get and list their items", async () => {
      await assertSucceeds(aliceItem().get());
      const list = await assertSucceeds(alice().collection("generationHistory/alice/items").get());
      expect(list.size).toBe(1);
    });

    it("denies another user get and list", async () => {
      await assertFails(bob().doc(itemPath("alice", "h1")).get());
      await assertFails(bob().collection("generationHistory/alice/items").get());
    });

    it("denies unauthenticated get and list", async () => {
      await assertFails(anonymous().doc(itemPath("alice", "h1")).get());
      await assertFails(anonymous().collection("generationHistory/alice/items").get());
    });

    it("denies a collection-group query over everyone's items", async () => {
      await assertFails(alice().collectionGroup("items").where("createdBy.uid", "==", "alice").get());
    });

    it("lets the owner delete their item, and nobody else", async () => {
      await assertFails(bob().doc(itemPath("alice", "h1")).delete());
      await assertFails(anonymous().doc(itemPath("alice", "h1")).delete());
      await assertSucceeds(aliceItem().delete());
    });
  });

  it("denies the parent doc generationHistory/{uid}, even to its owner", async () => {
    await serverWrite("generationHistory/alice", { a: 1 });
    for (const db of [alice(), bob(), anonymous()]) {
      await assertFails(db.doc("generationHistory/alice").get());
      await assertFails(db.doc("generationHistory/alice").set({ a: 2 }));
      await assertFails(db.doc("generationHistory/alice").delete());
    }
    await assertFails(alice().collection("generationHistory").get());
  });
});
