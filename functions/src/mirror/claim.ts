import { FieldValue, Timestamp, type DocumentSnapshot, type Query, type Transaction } from "firebase-admin/firestore";
import type { MirrorDeps } from "./deps";
import { mirrorQueue } from "./paths";
import { maxAttempts, mirrorTaskSchema, type MirrorTask } from "./task";

export interface ClaimedTask extends Pick<MirrorTask, "op" | "uid" | "historyId"> {
  id: string;
  /** The attempt this claim is: the lease is only ours while the task still says so. */
  attempts: number;
}

function millis(value: unknown): number | undefined {
  return value instanceof Timestamp ? value.toMillis() : undefined;
}

/** Inside `tx`: takes the task if it is pending, a failed task whose backoff has passed, or
 *  one whose lease expired (its processor crashed). A task that is done, dead, or leased to
 *  someone else is left alone; a malformed one becomes dead at once (retrying cannot fix it). */
export function claimInTransaction(deps: MirrorDeps, tx: Transaction, snap: DocumentSnapshot): ClaimedTask | null {
  if (!snap.exists) return null;
  const now = deps.now();
  const data = snap.data()!;
  const parsed = mirrorTaskSchema.safeParse(data);
  if (!parsed.success) {
    if (data.status !== "dead") {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "task"}: ${i.message}`).join("; ");
      tx.update(snap.ref, {
        status: "dead",
        lastError: `malformed task: ${problems}`.slice(0, 1000),
        attempts: typeof data.attempts === "number" ? data.attempts + 1 : 1,
        lastFailedAt: Timestamp.fromMillis(now),
        updatedAt: FieldValue.serverTimestamp(),
      });
    }
    return null;
  }
  const task = parsed.data;
  const due =
    task.status === "pending" ||
    (task.status === "failed" && (millis(data.nextAttemptAt) ?? 0) <= now) ||
    (task.status === "processing" && (millis(data.leaseExpiresAt) ?? 0) <= now);
  if (!due) return null;
  if (task.attempts >= maxAttempts) {
    tx.update(snap.ref, {
      status: "dead",
      lastError: data.lastError ?? `lease expired ${task.attempts} times (processor crashed or timed out)`,
      leaseOwner: FieldValue.delete(),
      leaseExpiresAt: FieldValue.delete(),
      lastFailedAt: Timestamp.fromMillis(now),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return null;
  }
  tx.update(snap.ref, {
    status: "processing",
    leaseOwner: deps.workerId,
    leaseExpiresAt: Timestamp.fromMillis(now + deps.leaseMs),
    attempts: task.attempts + 1,
    updatedAt: FieldValue.serverTimestamp(),
  });
  return { id: snap.id, op: task.op, uid: task.uid, historyId: task.historyId, attempts: task.attempts + 1 };
}

/** Claims one task by id (the trigger path and the sweeper). */
export function claimTask(deps: MirrorDeps, taskId: string): Promise<ClaimedTask | null> {
  const ref = deps.db.collection(mirrorQueue).doc(taskId);
  return deps.db.runTransaction(async (tx) => claimInTransaction(deps, tx, await tx.get(ref)));
}

/** The queries of work that is due, oldest first. Each has a composite index. */
export function dueQueries(deps: MirrorDeps, limit: number, options: ClaimOptions = {}): Query[] {
  const q = deps.db.collection(mirrorQueue);
  const now = Timestamp.fromMillis(deps.now());
  const pending = q.where("status", "==", "pending");
  return [
    (options.pendingBefore ? pending.where("createdAt", "<=", options.pendingBefore) : pending).orderBy("createdAt").limit(limit),
    q.where("status", "==", "failed").where("nextAttemptAt", "<=", now).orderBy("nextAttemptAt").limit(limit),
    q.where("status", "==", "processing").where("leaseExpiresAt", "<=", now).orderBy("leaseExpiresAt").limit(limit),
  ];
}

/** Claims up to `limit` due tasks in one transaction (the polling worker). Workers that
 *  race for the same tasks serialize on them; each task goes to exactly one. */
export interface ClaimOptions {
  /** Only pending tasks created before this (the sweeper leaves young ones to their trigger). */
  pendingBefore?: Timestamp;
}

export function claimBatch(deps: MirrorDeps, limit: number, options: ClaimOptions = {}): Promise<ClaimedTask[]> {
  return deps.db.runTransaction(async (tx) => {
    // A transaction reads everything before it writes anything.
    const docs: DocumentSnapshot[] = [];
    for (const query of dueQueries(deps, limit, options)) {
      if (docs.length >= limit) break;
      docs.push(...(await tx.get(query.limit(limit - docs.length))).docs);
    }
    return docs.map((doc) => claimInTransaction(deps, tx, doc)).filter((t): t is ClaimedTask => t !== null);
  });
}
