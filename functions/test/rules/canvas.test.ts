import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { onSnapshot, serverTimestamp, type DocumentData } from "firebase/firestore";
import { waitFor } from "../helpers/wait";
import { rulesEnv } from "./rules-env";

// canvasProjects/{id} and its ops: the owner may read (and listen); nobody writes from a
// client. Elements, snapshots and parts stay closed (closed.test.ts).

const op = (index: number) => ({
  index,
  type: "upsert",
  elementId: `e${index}`,
  element: { kind: "rect", x: index },
  at: serverTimestamp(),
});
const opPath = (index: number) => `canvasProjects/p1/ops/${String(index).padStart(10, "0")}`;

describe("firestore.rules: canvas projects and their op logs", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("canvas");
  });
  afterAll(() => env.cleanup());
  beforeEach(async () => {
    await env.clearFirestore();
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore();
      await db
        .doc("canvasProjects/p1")
        .set({ ownerUid: "alice", title: "", opIndex: 3, lastSnapshotOpIndex: 0, createdAt: serverTimestamp() });
      for (const i of [0, 1, 2]) await db.doc(opPath(i)).set(op(i));
    });
  });

  const alice = () => env.authenticatedContext("alice").firestore();

  it("lets the owner get the project and query its ops from an index on", async () => {
    const project = await assertSucceeds(alice().doc("canvasProjects/p1").get());
    expect(project.get("opIndex")).toBe(3);
    const after = await assertSucceeds(alice().collection("canvasProjects/p1/ops").where("index", ">=", 1).orderBy("index").get());
    expect(after.docs.map((d) => d.get("index"))).toEqual([1, 2]);
  });

  it("lets the owner listen to new ops live", async () => {
    const seen: DocumentData[] = [];
    const stop = onSnapshot(alice().collection("canvasProjects/p1/ops").where("index", ">=", 2).orderBy("index"), (snap) => {
      seen.splice(0, seen.length, ...snap.docs.map((d) => d.data()));
    });
    try {
      await waitFor(async () => seen.length === 1 || undefined, { timeoutMs: 5000, what: "the first snapshot" });
      await env.withSecurityRulesDisabled((ctx) => ctx.firestore().doc(opPath(3)).set(op(3)));
      await waitFor(async () => seen.length === 2 || undefined, { timeoutMs: 5000, what: "the new op" });
      expect(seen.map((d) => d.index)).toEqual([2, 3]);
    } finally {
      stop();
    }
  });

  it("denies another user and a signed-out client the project and its ops", async () => {
    for (const db of [env.authenticatedContext("mallory").firestore(), env.unauthenticatedContext().firestore()]) {
      await assertFails(db.doc("canvasProjects/p1").get());
      await assertFails(db.doc(opPath(0)).get());
      await assertFails(db.collection("canvasProjects/p1/ops").get());
    }
  });

  it("denies listing projects, even the owner's own by ownerUid", async () => {
    await assertFails(alice().collection("canvasProjects").where("ownerUid", "==", "alice").get());
  });

  it("denies every client write to the project and its ops, the owner's included", async () => {
    for (const db of [alice(), env.authenticatedContext("mallory").firestore()]) {
      await assertFails(db.doc("canvasProjects/p1").update({ opIndex: 0 }));
      await assertFails(db.doc("canvasProjects/p2").set({ ownerUid: "alice", opIndex: 0 }));
      await assertFails(db.doc("canvasProjects/p1").delete());
      await assertFails(db.doc(opPath(3)).set(op(3)));
      await assertFails(db.doc(opPath(0)).update({ element: { kind: "evil" } }));
      await assertFails(db.doc(opPath(0)).delete());
    }
  });
});
