import { FieldValue, Timestamp, type DocumentReference, type DocumentSnapshot, type Transaction } from "firebase-admin/firestore";
import { takeInTransaction, type Candidate, type ClaimedTask } from "./claim";
import type { MirrorDeps } from "./deps";
import { mirrorPath, mirrorQueue, sourcePath } from "./paths";
import { planMirror } from "./plan";
import { writeMirrorPlan, type MirrorOutcome } from "./write";

/** Done tasks are kept this long for inspection, then removed by a Firestore TTL policy. */
const doneRetentionMs = 7 * 24 * 3600_000;

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export interface ApplyResult {
  outcome: MirrorOutcome | "skipped";
  /** Tags recorded in the outbox, to flush after the commit. */
  tags: string[];
}

function refs(deps: MirrorDeps, t: { id: string; uid: string; historyId: string }) {
  return [
    deps.db.collection(mirrorQueue).doc(t.id),
    deps.db.doc(sourcePath(t.uid, t.historyId)),
    deps.db.doc(mirrorPath(t.historyId)),
  ] as const;
}

/** Inside the caller's transaction: brings the item's mirror to the projection of its
 *  source (with its outbox entry) and marks the task done. Because the source is read in the
 *  same transaction, an old, duplicated or reordered task writes what a new one would: the
 *  current truth. The task's hints are never used. A malformed source leaves the task dead
 *  with the reason; a conflict fails the task. */
function finish(
  deps: MirrorDeps,
  tx: Transaction,
  task: ClaimedTask,
  taskRef: DocumentReference,
  source: DocumentSnapshot,
  mirror: DocumentSnapshot,
): ApplyResult {
  const now = deps.now();
  const written = writeMirrorPlan(deps.db, tx, task, planMirror(task, source, mirror), { id: task.id, now });
  // historyIds are meant to be unique; never let one user's item replace another's.
  if (written.outcome === "conflict") throw new Error(written.detail);
  const invalid = written.outcome === "invalid";
  tx.update(taskRef, {
    status: invalid ? "dead" : "done",
    ...(invalid ? { lastError: (written.detail ?? "invalid source").slice(0, 1000), lastFailedAt: Timestamp.fromMillis(now) } : {}),
    attempts: task.attempts,
    outcome: written.outcome,
    processedAt: Timestamp.fromMillis(now),
    expireAt: Timestamp.fromMillis(now + doneRetentionMs),
    leaseOwner: FieldValue.delete(),
    leaseExpiresAt: FieldValue.delete(),
    updatedAt: FieldValue.serverTimestamp(),
  });
  return { outcome: written.outcome, tags: written.tags };
}

/** The lease path (trigger): applies a task claimed earlier, if the lease is still ours. */
export async function applyTask(deps: MirrorDeps, task: ClaimedTask): Promise<ApplyResult> {
  const [taskRef, sourceRef, mirrorRef] = refs(deps, task);
  return deps.db.runTransaction(async (tx) => {
    const [taskSnap, source, mirror] = await tx.getAll(taskRef, sourceRef, mirrorRef);
    const t = taskSnap!.data();
    if (t?.status !== "processing" || t.leaseOwner !== deps.workerId || t.attempts !== task.attempts) {
      throw new LeaseLostError(`task ${task.id} is no longer leased to ${deps.workerId}`);
    }
    return finish(deps, tx, task, taskRef, source!, mirror!);
  });
}

/** The direct path (workers, sweeper): takes a due task and applies it in ONE transaction,
 *  so no lease is needed: either all of it commits (mirror, outbox, done) or none does.
 *  Concurrent processors of the same task serialize; the later one finds it done. */
export async function takeAndApply(deps: MirrorDeps, candidate: Candidate): Promise<ApplyResult & { task?: ClaimedTask }> {
  const [taskRef, sourceRef, mirrorRef] = refs(deps, candidate);
  return deps.db.runTransaction(async (tx) => {
    const [taskSnap, source, mirror] = await tx.getAll(taskRef, sourceRef, mirrorRef);
    const task = takeInTransaction(deps, tx, taskSnap!, false);
    if (!task) return { outcome: "skipped" as const, tags: [] };
    if (task.uid !== candidate.uid || task.historyId !== candidate.historyId) throw new Error("task changed its item while queued");
    return { ...finish(deps, tx, task, taskRef, source!, mirror!), task };
  });
}
