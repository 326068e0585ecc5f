import { assertFails } from "@firebase/rules-unit-testing";
import type { RulesTestContext, RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { serverTimestamp } from "firebase/firestore";
import { rulesEnv } from "./rules-env";

// Server-only collections: the functions use the Admin SDK; clients go through callables and
// HTTP endpoints. Each row is a document as the server writes it and, where the document
// belongs to a user, that user: being the owner opens nothing. A new collection is one row.

type Data = Record<string, unknown>;
interface ClosedDoc {
  path: string;
  data: Data;
  /** The user the document belongs to (a canvas project's owner, a media's ownerUid...). */
  owner?: string;
}

const at = serverTimestamp;
const closed: ClosedDoc[] = [
  {
    path: "mirrorQueue/t1",
    data: { op: "upsert", uid: "alice", historyId: "h1", status: "pending", attempts: 0, createdAt: at(), updatedAt: at() },
    owner: "alice",
  },
  { path: "cacheInvalidations/c1", data: { tags: ["feed"], createdAt: at(), attempts: 0 } },
  {
    path: "adminAudit/a1",
    data: {
      action: "updateAestheticScore",
      adminUid: "admin",
      target: { uid: "alice", historyId: "h1" },
      before: 0.1,
      after: 0.9,
      at: at(),
    },
    owner: "alice",
  },
  { path: "health/probe", data: { ok: true, at: at() } },
  { path: "historyOwners/h1", data: { uid: "alice", claimedAt: at() }, owner: "alice" },
  { path: "signupImageCache/current", data: { images: [{ url: "https://cdn.example/fox.png" }], refreshedAt: at() } },
  { path: "signupImageCache/refreshLock", data: { holder: "refresh-1", until: at() } },
  { path: "canvasProjects/p1/elements/e1", data: { type: "image", x: 0, y: 0 }, owner: "alice" },
  {
    path: "canvasProjects/p1/snapshots/0000000001",
    data: { opIndex: 1, version: 1, createdAt: at(), complete: true, partCount: 1, elementCount: 1 },
    owner: "alice",
  },
  { path: "canvasProjects/p1/snapshots/0000000001/parts/0", data: { elements: [{ id: "e1", type: "image" }] }, owner: "alice" },
  {
    path: "canvasMedia/m1",
    data: { storagePath: "media/alice/m1.png", referencedByCount: 1, ownerUid: "alice", createdAt: at(), sizeBytes: 1024 },
    owner: "alice",
  },
  {
    path: "maintenanceRuns/r1",
    data: {
      job: "snapshotCanvasProjects",
      status: "done",
      dryRun: false,
      startedAt: at(),
      finishedAt: at(),
      counts: {},
      errors: [],
      errorCount: 0,
    },
  },
  { path: "maintenanceCursors/snapshotCanvasProjects", data: { cursor: "p1", updatedAt: at() } },
  { path: "usernames/alice", data: { uid: "alice" }, owner: "alice" },
  // Follow edges: alice's own two lists, and the edges of bob's lists that name her.
  { path: "users/alice/following/bob", data: { at: at() }, owner: "alice" },
  { path: "users/alice/followers/bob", data: { at: at() }, owner: "alice" },
  { path: "users/bob/following/alice", data: { at: at() }, owner: "alice" },
  { path: "users/bob/followers/alice", data: { at: at() }, owner: "alice" },
  { path: "creditEvents/evt_1", data: { uid: "alice", credits: 100, processedAt: at() }, owner: "alice" },
  // Images: likes, comments, collections, saved state and counts go through the callables
  // and imageDetails (a client could otherwise read likes of items that went private).
  { path: "users/alice/likes/h1", data: { at: at() }, owner: "alice" },
  { path: "users/alice/commentLikes/c1", data: { historyId: "h1", at: at() }, owner: "alice" },
  {
    path: "users/alice/collections/k1",
    data: { name: "n", description: "", itemCount: 1, createdAt: at(), updatedAt: at() },
    owner: "alice",
  },
  { path: "users/alice/collections/k1/items/h1", data: { at: at() }, owner: "alice" },
  { path: "users/alice/saved/h1", data: { collectionIds: ["k1"] }, owner: "alice" },
  { path: "imageStats/h1/shards/0", data: { likeCount: 1, commentCount: 1 } },
  { path: "imageComments/h1/comments/c1", data: { uid: "alice", text: "hi", likeCount: 0, createdAt: at() }, owner: "alice" },
  {
    path: "artRequests/r1",
    data: { uid: "alice", sessionId: "s1", status: "failed", prompt: "p", cost: 1, attempt: 1, failures: 1, lastError: "S3 said 503" },
    owner: "alice",
  },
  { path: "artViewers/alice", data: { seen: [], version: 1, updatedAt: at() }, owner: "alice" },
  { path: "artViewers/alice/impressions/w1", data: { at: at(), sessionId: "s1", via: "served" }, owner: "alice" },
  { path: "anything/else", data: { a: 1 } },
];

const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/"));

describe("firestore.rules: server-only collections are closed to clients", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("closed");
  });
  afterAll(() => env.cleanup());
  beforeEach(async () => {
    await env.clearFirestore();
    await env.withSecurityRulesDisabled(async (ctx) => {
      for (const { path, data } of closed) await ctx.firestore().doc(path).set(data);
    });
  });

  /** Anonymous, another signed-in user, and the document's owner if it has one. */
  const clients = (owner: string | undefined): RulesTestContext[] => [
    env.unauthenticatedContext(),
    env.authenticatedContext("mallory"),
    ...(owner ? [env.authenticatedContext(owner)] : []),
  ];

  it.each(closed.map((c) => [c.path, c] as const))(
    "denies get, list, create, update and delete of %s",
    async (_path, { path, data, owner }) => {
      for (const client of clients(owner)) {
        const db = client.firestore();
        await assertFails(db.doc(path).get());
        await assertFails(db.collection(parentOf(path)).get());
        await assertFails(db.doc(`${parentOf(path)}/new`).set(data));
        await assertFails(db.doc(path).update({ touched: true }));
        await assertFails(db.doc(path).set({ ...data, touched: true }));
        await assertFails(db.doc(path).delete());
      }
    },
  );

  it.each(closed.filter((c) => c.owner && "ownerUid" in c.data).map((c) => [c.path, c] as const))(
    "denies %s to its owner even through a query on ownerUid",
    async (_path, { path, owner }) => {
      const db = env.authenticatedContext(owner!).firestore();
      await assertFails(db.collection(parentOf(path)).where("ownerUid", "==", owner).get());
    },
  );

  it("denies a collection-group query over every project's ops", async () => {
    await assertFails(env.authenticatedContext("alice").firestore().collectionGroup("ops").get());
  });
});
