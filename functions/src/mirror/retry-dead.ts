import { FieldValue, type Firestore } from "firebase-admin/firestore";
import type { MirrorDeps } from "./deps";
import { mirrorQueue } from "./paths";
import { processTask } from "./process";
import { mapLimit } from "../shared/map-limit";

/** Puts dead tasks (all, or the given ids) back to pending with a fresh attempt budget,
 *  then processes up to `processNow` of them at once; the sweeper takes the rest.
 *  Ids that are not dead are reported, not touched. */
export async function retryDeadTasks(
  deps: MirrorDeps,
  taskIds: string[] | undefined,
  processNow = 50,
): Promise<{ requeued: string[]; skipped: string[]; processed: number }> {
  const ids = taskIds ?? (await allDeadIds(deps.db));
  const requeued: string[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    // Decided inside the transaction (which may run more than once), recorded after it commits.
    const outcome = await deps.db.runTransaction(async (tx) => {
      const requeue: string[] = [];
      const skip: string[] = [];
      const refs = chunk.map((id) => deps.db.collection(mirrorQueue).doc(id));
      const snaps = await tx.getAll(...refs);
      snaps.forEach((snap) => {
        if (snap.get("status") !== "dead") {
          skip.push(snap.id);
          return;
        }
        requeue.push(snap.id);
        tx.update(snap.ref, {
          status: "pending",
          attempts: 0,
          previousError: snap.get("lastError") ?? null,
          nextAttemptAt: FieldValue.delete(),
          updatedAt: FieldValue.serverTimestamp(),
        });
      });
      return { requeue, skip };
    });
    requeued.push(...outcome.requeue);
    skipped.push(...outcome.skip);
  }
  const results = await mapLimit(requeued.slice(0, processNow), 8, (id) => processTask(deps, id));
  return { requeued, skipped, processed: results.length };
}

async function allDeadIds(db: Firestore, max = 5000): Promise<string[]> {
  const snap = await db.collection(mirrorQueue).where("status", "==", "dead").limit(max).select().get();
  return snap.docs.map((d) => d.id);
}
