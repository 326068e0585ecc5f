import { FieldValue, Timestamp, type DocumentReference, type DocumentSnapshot, type Transaction } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import { takeInTransaction, type Candidate, type ClaimedTask } from "./claim";
import type { MirrorDeps } from "./deps";
import { mirrorPath, mirrorQueue, ownerPath, sourcePath } from "./paths";
import { planMirror, type PlanInputs } from "./plan";
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

/** The documents a task's plan is made of, as references: the task, then the source, the
 *  mirror and the owner of its item. */
function refsOf(deps: MirrorDeps, t: { id: string; uid: string; historyId: string }) {
  return [
    deps.db.collection(mirrorQueue).doc(t.id),
    deps.db.doc(sourcePath(t.uid, t.historyId)),
    deps.db.doc(mirrorPath(t.historyId)),
    deps.db.doc(ownerPath(t.historyId)),
  ];
}

/** The task and the three documents its plan is made of, from the snapshots of `refsOf`. */
function readOf(refs: DocumentReference[], [task, source, mirror, owner]: DocumentSnapshot[]) {
  return { taskRef: refs[0]!, task: task!, docs: { source: source!, mirror: mirror!, owner: owner! } };
}
type Read = ReturnType<typeof readOf>;

/** The task and the three documents its plan is made of, read in one round trip. */
async function readAll(deps: MirrorDeps, tx: Transaction, t: { id: string; uid: string; historyId: string }): Promise<Read> {
  const refs = refsOf(deps, t);
  return readOf(refs, await tx.getAll(...refs));
}

/** Inside the caller's transaction: brings the item's mirror to the projection of its
 *  source (with its outbox entry) and marks the task done. Because the source is read in the
 *  same transaction, an old, duplicated or reordered task writes what a new one would: the
 *  current truth. The task's hints are never used. A malformed source leaves the task dead
 *  with the reason. A conflict (the historyId is another user's) is done too, with the
 *  reason: no retry can change it, and it must not fill the dead-letter queue. */
function finish(deps: MirrorDeps, tx: Transaction, task: ClaimedTask, taskRef: DocumentReference, docs: PlanInputs): ApplyResult {
  const now = deps.now();
  const written = writeMirrorPlan(deps.db, tx, task, planMirror(task, docs), { id: task.id, now });
  if (written.outcome === "conflict")
    logger.warn("mirror task refused: the historyId belongs to another user", {
      taskId: task.id,
      uid: task.uid,
      historyId: task.historyId,
    });
  const invalid = written.outcome === "invalid";
  tx.update(taskRef, {
    status: invalid ? "dead" : "done",
    ...(invalid ? { lastError: (written.detail ?? "invalid source").slice(0, 1000), lastFailedAt: Timestamp.fromMillis(now) } : {}),
    attempts: task.attempts,
    outcome: written.outcome,
    ...(written.outcome === "conflict" ? { conflict: written.detail } : {}),
    processedAt: Timestamp.fromMillis(now),
    // A dead task stays until an admin retries or drops it; only a done one expires (TTL).
    expireAt: invalid ? FieldValue.delete() : Timestamp.fromMillis(now + doneRetentionMs),
    leaseOwner: FieldValue.delete(),
    leaseExpiresAt: FieldValue.delete(),
    updatedAt: FieldValue.serverTimestamp(),
  });
  return { outcome: written.outcome, tags: written.tags };
}

/** The lease path (trigger): applies a task claimed earlier, if the lease is still ours. */
export async function applyTask(deps: MirrorDeps, task: ClaimedTask): Promise<ApplyResult> {
  return deps.db.runTransaction(async (tx) => {
    const read = await readAll(deps, tx, task);
    const t = read.task.data();
    if (t?.status !== "processing" || t.leaseOwner !== deps.workerId || t.attempts !== task.attempts) {
      throw new LeaseLostError(`task ${task.id} is no longer leased to ${deps.workerId}`);
    }
    return finish(deps, tx, task, read.taskRef, read.docs);
  });
}

/** The direct path (workers, sweeper): takes a due task and applies it in ONE transaction,
 *  so no lease is needed: either all of it commits (mirror, outbox, done) or none does.
 *  Concurrent processors of the same task serialize; the later one finds it done. */
export async function takeAndApply(deps: MirrorDeps, candidate: Candidate): Promise<ApplyResult & { task?: ClaimedTask }> {
  return deps.db.runTransaction(async (tx) => takeAndFinish(deps, tx, candidate, await readAll(deps, tx, candidate)));
}

/** A task writes at most 4 documents (mirror, task, owner, outbox entry) and a Firestore
 *  transaction at most 500. */
export const maxTasksPerTransaction = 100;

/** The direct path for several tasks of different items at once: each is taken and applied
 *  exactly as `takeAndApply` does, all in ONE transaction (one read round trip, one commit),
 *  so a backlog pays the transaction's cost once per batch instead of once per task, with
 *  the same guarantees: every plan is made from documents read in the transaction that
 *  writes it, and all of the batch commits or none of it. Candidates must be of distinct
 *  items (a batch never holds two tasks of one item: the second would plan from a mirror
 *  the first just changed). A failure of the batch throws: the caller retries one by one. */
export async function takeAndApplyMany(deps: MirrorDeps, candidates: Candidate[]): Promise<Array<ApplyResult & { id: string }>> {
  if (new Set(candidates.map((c) => c.historyId)).size !== candidates.length) throw new Error("a batch holds two tasks of one item");
  if (candidates.length > maxTasksPerTransaction) throw new Error(`a batch holds more than ${maxTasksPerTransaction} tasks`);
  return deps.db.runTransaction(async (tx) => {
    const refs = candidates.map((c) => refsOf(deps, c));
    const snaps = await tx.getAll(...refs.flat());
    return candidates.map((c, i) => ({ id: c.id, ...takeAndFinish(deps, tx, c, readOf(refs[i]!, snaps.slice(4 * i, 4 * i + 4))) }));
  });
}

/** Inside the transaction that read it: takes the task if it is still due, then applies it. */
function takeAndFinish(deps: MirrorDeps, tx: Transaction, candidate: Candidate, read: Read): ApplyResult & { task?: ClaimedTask } {
  const task = takeInTransaction(deps, tx, read.task, false);
  if (!task) return { outcome: "skipped", tags: [] };
  deps.afterStep?.("claimed", task.id); // inside the transaction: a crash here commits nothing
  if (task.uid !== candidate.uid || task.historyId !== candidate.historyId) throw new Error("task changed its item while queued");
  return { ...finish(deps, tx, task, read.taskRef, read.docs), task };
}
