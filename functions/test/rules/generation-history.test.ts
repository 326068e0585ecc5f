import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { deleteField, serverTimestamp, Timestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// generationHistory/{uid}/items/{historyId}: owners only, fields as in src/mirror/source.ts,
// and aestheticScore is the admins' (server-only). Every deny case starts from a valid item
// and changes one thing, so it fails for that reason alone.

type Data = Record<string, unknown>;

/** A valid item with every field a client may write. */
function item(uid: string, overrides: Data = {}): Data {
  return {
    prompt: "a red fox in the snow",
    model: "flux-1",
    images: [{ url: "https://cdn.example/fox.png", width: 1024, height: 1024 }],
    videos: [],
    isPublic: true,
    isDeleted: false,
    createdAt: Timestamp.now(),
    updatedAt: Timestamp.now(),
    createdBy: { uid, username: "alice", photoURL: "https://cdn.example/alice.png" },
    ...overrides,
  };
}

function without(data: Data, key: string): Data {
  const { [key]: _removed, ...rest } = data;
  return rest;
}

const itemPath = (uid: string, historyId: string) => `generationHistory/${uid}/items/${historyId}`;

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

  /** Seeds alice's item h1 (optionally scored, as the admin callable would) bypassing rules. */
  async function seed(data: Data = item("alice")): Promise<void> {
    await env.withSecurityRulesDisabled((ctx) => ctx.firestore().doc(itemPath("alice", "h1")).set(data));
  }

  describe("create", () => {
    it("lets the owner create a valid item with every allowed field", async () => {
      await assertSucceeds(alice().doc(itemPath("alice", "h1")).set(item("alice")));
    });

    it("lets the owner create a minimal item (required fields only)", async () => {
      const minimal = { prompt: "", model: "m", createdAt: Timestamp.now(), createdBy: { uid: "alice" } };
      await assertSucceeds(alice().doc(itemPath("alice", "h1")).set(minimal));
    });

    it("accepts serverTimestamp() (request.time) for createdAt and updatedAt", async () => {
      const ref = alice().doc(itemPath("alice", "h1"));
      await assertSucceeds(ref.set(item("alice", { createdAt: serverTimestamp(), updatedAt: serverTimestamp() })));
      const snap = await ref.get();
      expect(snap.get("createdAt")).toBeInstanceOf(Timestamp);
    });

    it("accepts the size limits exactly", async () => {
      const atLimits = item("alice", {
        prompt: "p".repeat(10_000),
        model: "m".repeat(200),
        images: Array.from({ length: 64 }, (_, i) => ({ url: `https://cdn.example/${i}.png` })),
        videos: Array.from({ length: 16 }, (_, i) => ({ url: `https://cdn.example/${i}.mp4` })),
        createdBy: { uid: "alice", username: "u".repeat(100) },
      });
      await assertSucceeds(alice().doc(itemPath("alice", "h1")).set(atLimits));
    });

    it("denies an item with aestheticScore (admins set it)", async () => {
      await assertFails(
        alice()
          .doc(itemPath("alice", "h1"))
          .set(item("alice", { aestheticScore: 0.9 })),
      );
      await assertFails(
        alice()
          .doc(itemPath("alice", "h1"))
          .set(item("alice", { aestheticScore: null })),
      );
    });

    it("denies an unknown field", async () => {
      await assertFails(
        alice()
          .doc(itemPath("alice", "h1"))
          .set(item("alice", { featured: true })),
      );
    });

    it.each(["prompt", "model", "createdAt", "createdBy"])("denies an item without %s", async (field) => {
      await assertFails(
        alice()
          .doc(itemPath("alice", "h1"))
          .set(without(item("alice"), field)),
      );
    });

    it("denies createdBy naming someone else", async () => {
      await assertFails(
        alice()
          .doc(itemPath("alice", "h1"))
          .set(item("alice", { createdBy: { uid: "bob" } })),
      );
    });

    it.each<[string, Data]>([
      ["isPublic as a string", { isPublic: "true" }],
      ["isDeleted as a number", { isDeleted: 0 }],
      ["prompt over 10000 characters", { prompt: "p".repeat(10_001) }],
      ["prompt as a number", { prompt: 42 }],
      ["an empty model", { model: "" }],
      ["model over 200 characters", { model: "m".repeat(201) }],
      ["images over 64 entries", { images: Array.from({ length: 65 }, (_, i) => ({ url: `https://cdn.example/${i}.png` })) }],
      ["images as a map", { images: { url: "https://cdn.example/fox.png" } }],
      ["videos over 16 entries", { videos: Array.from({ length: 17 }, (_, i) => ({ url: `https://cdn.example/${i}.mp4` })) }],
      ["createdAt as a string", { createdAt: "2024-01-01T00:00:00Z" }],
      ["createdAt as millis", { createdAt: Date.now() }],
      ["updatedAt as a string", { updatedAt: "yesterday" }],
      ["updatedAt null", { updatedAt: null }],
      ["createdBy as a string", { createdBy: "alice" }],
      ["createdBy with an unknown key", { createdBy: { uid: "alice", email: "a@example.com" } }],
      ["username over 100 characters", { createdBy: { uid: "alice", username: "u".repeat(101) } }],
      ["an empty photoURL", { createdBy: { uid: "alice", photoURL: "" } }],
      ["photoURL as a number", { createdBy: { uid: "alice", photoURL: 1 } }],
    ])("denies %s", async (_name, overrides) => {
      await assertFails(alice().doc(itemPath("alice", "h1")).set(item("alice", overrides)));
    });

    it("denies writing into another user's history, whoever createdBy names", async () => {
      await assertFails(alice().doc(itemPath("bob", "h1")).set(item("alice")));
      await assertFails(alice().doc(itemPath("bob", "h1")).set(item("bob")));
    });

    it("denies an unauthenticated create", async () => {
      await assertFails(anonymous().doc(itemPath("alice", "h1")).set(item("alice")));
    });
  });

  describe("update", () => {
    beforeEach(() => seed(item("alice", { aestheticScore: 0.7 })));

    it("lets the owner change prompt and isPublic of a scored item", async () => {
      await assertSucceeds(
        alice().doc(itemPath("alice", "h1")).update({ prompt: "a blue fox", isPublic: false, updatedAt: serverTimestamp() }),
      );
    });

    it("lets the owner rewrite the whole item when aestheticScore stays as it is", async () => {
      await assertSucceeds(
        alice()
          .doc(itemPath("alice", "h1"))
          .set(item("alice", { aestheticScore: 0.7, prompt: "again" })),
      );
    });

    it("denies changing aestheticScore", async () => {
      await assertFails(alice().doc(itemPath("alice", "h1")).update({ aestheticScore: 1 }));
    });

    it("denies removing aestheticScore", async () => {
      await assertFails(alice().doc(itemPath("alice", "h1")).update({ aestheticScore: deleteField() }));
      await assertFails(alice().doc(itemPath("alice", "h1")).set(item("alice")));
    });

    it("denies adding aestheticScore to an unscored item", async () => {
      await seed(item("alice"));
      await assertFails(alice().doc(itemPath("alice", "h1")).update({ aestheticScore: 0.5 }));
    });

    it.each<[string, Data]>([
      ["adds an unknown field", { featured: true }],
      ["sets isPublic to a string", { isPublic: "yes" }],
      ["makes the prompt too long", { prompt: "p".repeat(10_001) }],
      ["removes a required field", { model: deleteField() }],
      ["hands the item to someone else", { createdBy: { uid: "bob" } }],
      ["sets updatedAt to a string", { updatedAt: "now" }],
    ])("denies an update that %s", async (_name, change) => {
      await assertFails(alice().doc(itemPath("alice", "h1")).update(change));
    });

    it("denies updates by another user or unauthenticated", async () => {
      await assertFails(bob().doc(itemPath("alice", "h1")).update({ prompt: "mine now" }));
      await assertFails(anonymous().doc(itemPath("alice", "h1")).update({ prompt: "mine now" }));
    });
  });

  describe("read and delete", () => {
    beforeEach(() => seed());

    it("lets the owner get and list their items", async () => {
      await assertSucceeds(alice().doc(itemPath("alice", "h1")).get());
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
      await assertSucceeds(alice().doc(itemPath("alice", "h1")).delete());
    });
  });

  it("denies the parent doc generationHistory/{uid}, even to its owner", async () => {
    await env.withSecurityRulesDisabled((ctx) => ctx.firestore().doc("generationHistory/alice").set({ a: 1 }));
    for (const db of [alice(), bob(), anonymous()]) {
      await assertFails(db.doc("generationHistory/alice").get());
      await assertFails(db.doc("generationHistory/alice").set({ a: 2 }));
      await assertFails(db.doc("generationHistory/alice").delete());
    }
    await assertFails(alice().collection("generationHistory").get());
  });
});
