import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { sourceItem } from "../helpers/fixtures";
import { mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import { fireSchedule } from "../helpers/schedule";
import { waitFor } from "../helpers/wait";
import { mirrorMismatch, task } from "./harness";

// The real trigger path in the Functions emulator: source writes fire
// onGenerationHistoryWritten, which enqueues; processMirrorTask applies; nothing by hand.
const items = Array.from({ length: 8 }, (_, i) => ({ uid: i % 2 ? "ann" : "ben", historyId: `trg-${i}` }));

const ids = items.map((i) => i.historyId);

async function queueDrained(): Promise<boolean> {
  const open = await db()
    .collection(mirrorQueue)
    .where("historyId", "in", ids)
    .where("status", "in", ["pending", "processing", "failed"])
    .count()
    .get();
  return open.data().count === 0;
}

describe("mirror through the real trigger path", () => {
  suiteWithTriggers();

  it("converges after random writes delivered by the Functions emulator", async () => {
    const rnd = prng(testSeed("mirror trigger path"));
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 80; i++) {
      const { uid, historyId } = rnd.pick(items);
      const ref = db().doc(sourcePath(uid, historyId));
      const roll = rnd.int(6);
      // Writes to one item are issued without waiting, so events may arrive in any order.
      if (roll === 0) writes.push(ref.delete());
      else if (roll === 1) writes.push(ref.set(sourceItem(uid, { prompt: `p${i}`, isPublic: rnd.chance(0.7) })));
      else
        writes.push(
          ref.set(
            sourceItem(uid, {
              prompt: `p${i}`,
              aestheticScore: rnd.int(10),
              isDeleted: rnd.chance(0.2),
              updatedAt: FieldValue.serverTimestamp(),
            }),
          ),
        );
    }
    await Promise.all(writes);
    await waitFor(
      async () =>
        (await queueDrained()) && (await Promise.all(items.map((i) => mirrorMismatch(i.uid, i.historyId)))).every((m) => m === undefined),
      {
        timeoutMs: 60_000,
        what: "the mirror to converge through the triggers",
      },
    );
    const dead = await db().collection(mirrorQueue).where("historyId", "in", ids).where("status", "==", "dead").count().get();
    expect(dead.data().count).toBe(0);
  });

  it("sweepMirrorQueue, fired as Cloud Scheduler does, re-drives a failed task once its backoff passed", async () => {
    // The trigger sees this task before its backoff passed and leaves it; only the sweeper,
    // fired once the backoff is over, can finish it.
    await db().doc(sourcePath("ann", "swept")).set(sourceItem("ann"));
    await db()
      .collection(mirrorQueue)
      .doc("stranded")
      .set({
        op: "upsert",
        uid: "ann",
        historyId: "swept",
        status: "failed",
        attempts: 1,
        lastError: "Error: earlier failure",
        nextAttemptAt: Timestamp.fromMillis(Date.now() + 2000),
        createdAt: Timestamp.now(),
        updatedAt: Timestamp.now(),
      });
    await waitFor(async () => (await task("stranded"))?.status === "failed", { what: "the trigger to leave the task alone" });
    await waitFor(async () => Date.now() > 2500 + (await task("stranded"))!.nextAttemptAt.toMillis(), {
      timeoutMs: 10_000,
      what: "the backoff to pass",
    });
    await fireSchedule("sweepMirrorQueue");
    expect(await task("stranded")).toMatchObject({ status: "done", attempts: 2 });
    expect(await mirrorMismatch("ann", "swept")).toBeUndefined();
  });
});
