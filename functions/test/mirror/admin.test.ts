import { Timestamp } from "firebase-admin/firestore";
import { sourceItem } from "../helpers/fixtures";
import { mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { callCallable, createAdmin, createUser, idTokenFor } from "../helpers/auth";
import { clearFirestore, db, triggersOffDuringSuite, withoutTriggers } from "../helpers/firestore";
import { mirrorMismatch, task } from "./harness";

// The admin callables, called as a real client does: HTTP with an Auth-emulator ID token.
describe("mirror admin callables", () => {
  triggersOffDuringSuite();
  let adminToken: string;
  let userToken: string;
  beforeAll(async () => {
    adminToken = await idTokenFor(await createAdmin("mirror-admin"));
    userToken = await idTokenFor(await createUser("mirror-user"));
  });
  beforeEach(clearFirestore);

  const deadTask = (id: string, historyId: string) =>
    db().collection(mirrorQueue).doc(id).set({
      op: "update",
      uid: "ann",
      historyId,
      status: "dead",
      attempts: 5,
      lastError: "Error: boom",
      createdAt: Timestamp.now(),
      updatedAt: Timestamp.now(),
      lastFailedAt: Timestamp.now(),
    });

  it.each(["getMirrorQueueStats", "retryDeadMirrorTasks"])(
    "%s: unauthenticated without login, permission-denied without the admin claim",
    async (name) => {
      expect((await callCallable(name, {})).error?.status).toBe("UNAUTHENTICATED");
      expect((await callCallable(name, {}, userToken)).error?.status).toBe("PERMISSION_DENIED");
    },
  );

  it("getMirrorQueueStats counts by status and lists recent failures", async () => {
    await withoutTriggers(async () => {
      await deadTask("d1", "h1");
      await db()
        .collection(mirrorQueue)
        .doc("p1")
        .set({
          op: "update",
          uid: "ann",
          historyId: "h2",
          status: "pending",
          attempts: 0,
          createdAt: Timestamp.fromMillis(Date.now() - 90_000),
        });
    });
    const { result } = await callCallable<{
      counts: Record<string, number>;
      depth: number;
      oldestPendingAgeMs: number;
      recentFailures: Array<{ taskId: string }>;
      deadTasks: Array<{ taskId: string; lastError: string }>;
    }>("getMirrorQueueStats", {}, adminToken);
    expect(result!.counts).toEqual({ pending: 1, processing: 0, done: 0, failed: 0, dead: 1 });
    expect(result!.depth).toBe(1);
    expect(result!.oldestPendingAgeMs).toBeGreaterThanOrEqual(90_000);
    expect(result!.recentFailures.map((f) => f.taskId)).toEqual(["d1"]);
    expect(result!.deadTasks).toMatchObject([{ taskId: "d1", lastError: "Error: boom" }]);
  });

  it("getMirrorQueueStats lists dead tasks even behind a burst of newer failed ones", async () => {
    await withoutTriggers(async () => {
      await deadTask("old-dead", "h0");
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          db()
            .collection(mirrorQueue)
            .doc(`f${i}`)
            .set({
              op: "update",
              uid: "ann",
              historyId: `hf${i}`,
              status: "failed",
              attempts: 1,
              lastError: "Error: later",
              createdAt: Timestamp.now(),
              lastFailedAt: Timestamp.fromMillis(Date.now() + 1000 + i),
            }),
        ),
      );
    });
    const { result } = await callCallable<{ recentFailures: Array<{ taskId: string }>; deadTasks: Array<{ taskId: string }> }>(
      "getMirrorQueueStats",
      {},
      adminToken,
    );
    expect(result!.recentFailures.map((f) => f.taskId)).not.toContain("old-dead");
    expect(result!.deadTasks.map((f) => f.taskId)).toEqual(["old-dead"]);
  });

  it.each([
    ["a string", { taskIds: "d1" }],
    ["an empty list", { taskIds: [] }],
    ["numbers", { taskIds: [1, 2] }],
    ["an id with a slash", { taskIds: ["a/b"] }],
    ["an unknown field", { taskIds: ["d1"], force: true }],
    ["a huge list", { taskIds: Array.from({ length: 501 }, (_, i) => `t${i}`) }],
  ])("retryDeadMirrorTasks rejects %s with invalid-argument and changes nothing", async (_label, data) => {
    await withoutTriggers(() => deadTask("d1", "h1"));
    const response = await callCallable("retryDeadMirrorTasks", data, adminToken);
    expect(response.error?.status).toBe("INVALID_ARGUMENT");
    expect(await task("d1")).toMatchObject({ status: "dead", attempts: 5 });
  });

  it("retryDeadMirrorTasks re-drives the given dead tasks at once and skips others", async () => {
    await withoutTriggers(async () => {
      await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
      await deadTask("d1", "h1");
      await deadTask("d2", "h2");
    });
    const { result } = await callCallable<{ requeued: string[]; skipped: string[] }>(
      "retryDeadMirrorTasks",
      { taskIds: ["d1", "missing"] },
      adminToken,
    );
    expect(result).toMatchObject({ requeued: ["d1"], skipped: ["missing"] });
    expect(await task("d1")).toMatchObject({ status: "done", attempts: 1, previousError: "Error: boom" });
    expect(await task("d2")).toMatchObject({ status: "dead" });
    expect(await mirrorMismatch("ann", "h1")).toBeUndefined();
  });
});
