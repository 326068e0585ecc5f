import { FieldValue, Timestamp, type DocumentSnapshot } from "firebase-admin/firestore";
import type { ClaimedTask } from "./claim";
import type { MirrorDeps } from "./deps";
import { recordInTransaction } from "./outbox";
import { mirrorPath, mirrorQueue, sourcePath } from "./paths";
import { desiredMirror, InvalidSourceError, mirrorMatches, projectGeneration, type MirrorFields } from "./projection";
import { tagsForMirrorChange } from "./tags";

/** Done tasks are kept this long for inspection, then removed by a Firestore TTL policy. */
const doneRetentionMs = 7 * 24 * 3600_000;

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export interface ApplyResult {
  outcome: "written" | "removed" | "unchanged" | "fenced" | "invalid-source";
  /** Tags recorded in the outbox, to flush after the commit. */
  tags: string[];
}

/** Microseconds of a document's update time: Firestore makes it grow with every write. */
export function versionOf(snap: DocumentSnapshot): number {
  const t = snap.updateTime;
  return t ? t.seconds * 1_000_000 + Math.floor(t.nanoseconds / 1000) : 0;
}

/** Brings one item's mirror to the projection of its source, in ONE transaction that also
 *  reads the task (the lease must still be ours) and marks it done. Because the source is
 *  read inside the transaction, an old or duplicated task writes what a new one would:
 *  the current truth. Hints in the task are never used. */
export async function applyTask(deps: MirrorDeps, task: ClaimedTask): Promise<ApplyResult> {
  const { db } = deps;
  const taskRef = db.collection(mirrorQueue).doc(task.id);
  const sourceRef = db.doc(sourcePath(task.uid, task.historyId));
  const mirrorRef = db.doc(mirrorPath(task.historyId));
  return db.runTransaction(async (tx) => {
    const [taskSnap, sourceSnap, mirrorSnap] = await tx.getAll(taskRef, sourceRef, mirrorRef);
    const t = taskSnap!.data();
    if (t?.status !== "processing" || t.leaseOwner !== deps.workerId || t.attempts !== task.attempts) {
      throw new LeaseLostError(`task ${task.id} is no longer leased to ${deps.workerId}`);
    }
    const current = mirrorSnap!.data();
    if (current && current.uid !== task.uid) {
      // historyIds are meant to be unique; never let one user's item replace another's.
      throw new Error(`generations/${task.historyId} belongs to another user`);
    }
    let projected: MirrorFields | null;
    let invalid: string | undefined;
    try {
      projected = projectGeneration(sourceSnap!.exists ? sourceSnap!.data() : undefined, task, versionOf(sourceSnap!));
    } catch (error) {
      if (!(error instanceof InvalidSourceError)) throw error;
      projected = null; // a malformed item is not shown publicly
      invalid = error.message;
    }
    const desired = desiredMirror(projected, current);
    const now = deps.now();
    let outcome: ApplyResult["outcome"];
    if (desired && current && typeof current.sourceVersion === "number" && current.sourceVersion > desired.sourceVersion) {
      outcome = "fenced"; // the mirror already shows a newer source version
    } else if (mirrorMatches(desired, current)) {
      outcome = invalid ? "invalid-source" : "unchanged";
    } else {
      if (desired) tx.set(mirrorRef, { ...desired, mirroredAt: FieldValue.serverTimestamp() });
      else tx.delete(mirrorRef);
      outcome = invalid ? "invalid-source" : desired ? "written" : "removed";
    }
    const changed = outcome === "written" || outcome === "removed" || (invalid !== undefined && current !== undefined);
    const tags = changed ? tagsForMirrorChange(task) : [];
    if (changed) recordInTransaction(db, tx, task.id, tags, now);
    tx.update(taskRef, {
      status: invalid ? "dead" : "done",
      ...(invalid ? { lastError: invalid.slice(0, 1000), lastFailedAt: Timestamp.fromMillis(now) } : {}),
      outcome,
      processedAt: Timestamp.fromMillis(now),
      expireAt: Timestamp.fromMillis(now + doneRetentionMs),
      leaseOwner: FieldValue.delete(),
      leaseExpiresAt: FieldValue.delete(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return { outcome, tags };
  });
}
