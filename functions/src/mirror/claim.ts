import { FieldPath, FieldValue, Timestamp, type DocumentSnapshot, type Query, type Transaction } from "firebase-admin/firestore";
import { describeIssues } from "../shared/zod";
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

/** Whether a task may be taken now: pending, failed with its backoff passed, or processing
 *  with an expired lease (its processor crashed). Done, dead and leased tasks are not. */
function isDue(data: Record<string, unknown>, now: number): boolean {
  if (data.status === "pending") return true;
  if (data.status === "failed") return (millis(data.nextAttemptAt) ?? 0) <= now;
  if (data.status === "processing") return (millis(data.leaseExpiresAt) ?? 0) <= now;
  return false;
}

/** Inside `tx`: decides whether this task is ours to process now, recording the attempt.
 *  With `leaseMs` the task becomes `processing` under our lease (work follows in another
 *  transaction); without, the caller finishes it in this same transaction. A malformed
 *  task becomes dead at once (retrying cannot fix it); one whose attempts ran out as well. */
export function takeInTransaction(deps: MirrorDeps, tx: Transaction, snap: DocumentSnapshot, lease: boolean): ClaimedTask | null {
  if (!snap.exists) return null;
  const now = deps.now();
  const data = snap.data()!;
  const parsed = mirrorTaskSchema.safeParse(data);
  if (!parsed.success) {
    if (data.status !== "dead") {
      const problems = describeIssues(parsed.error, "task", 20);
      tx.update(snap.ref, {
        status: "dead",
        lastError: `malformed task: ${problems}`.slice(0, 1000),
        attempts: typeof data.attempts === "number" ? data.attempts + 1 : 1,
        lastFailedAt: Timestamp.fromMillis(now),
        expireAt: FieldValue.delete(), // dead tasks never expire
        updatedAt: FieldValue.serverTimestamp(),
      });
    }
    return null;
  }
  const task = parsed.data;
  if (!isDue(data, now)) return null;
  if (task.attempts >= maxAttempts) {
    tx.update(snap.ref, {
      status: "dead",
      lastError: data.lastError ?? `lease expired ${task.attempts} times (processor crashed or timed out)`,
      leaseOwner: FieldValue.delete(),
      leaseExpiresAt: FieldValue.delete(),
      lastFailedAt: Timestamp.fromMillis(now),
      expireAt: FieldValue.delete(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return null;
  }
  const claimed = { id: snap.id, op: task.op, uid: task.uid, historyId: task.historyId, attempts: task.attempts + 1 };
  if (lease) {
    tx.update(snap.ref, {
      status: "processing",
      leaseOwner: deps.workerId,
      leaseExpiresAt: Timestamp.fromMillis(now + deps.leaseMs),
      attempts: claimed.attempts,
      updatedAt: FieldValue.serverTimestamp(),
    });
  }
  return claimed;
}

/** Claims one task by id under a lease (the trigger path). A plain read first turns away
 *  duplicates of finished or leased tasks without taking transaction locks, which is what
 *  redelivered events mostly are; the transaction then decides for real. */
export async function claimTask(deps: MirrorDeps, taskId: string): Promise<ClaimedTask | null> {
  const ref = deps.db.collection(mirrorQueue).doc(taskId);
  const peek = await ref.get();
  if (!peek.exists || !(isDue(peek.data()!, deps.now()) || !mirrorTaskSchema.safeParse(peek.data()).success)) return null;
  return deps.db.runTransaction(async (tx) => takeInTransaction(deps, tx, await tx.get(ref), true));
}

export interface ClaimOptions {
  /** Only pending tasks created before this (the sweeper leaves young ones to their trigger). */
  pendingBefore?: Timestamp;
  /** Only pending tasks after this one, in (createdAt, id) order: a worker's place in the
   *  backlog, so each query reads new tasks instead of the ones it already has in hand. */
  pendingAfter?: { createdAt: Timestamp; id: string };
}

/** The queries of work that is due, oldest first. Each has a composite index. */
export function dueQueries(deps: MirrorDeps, limit: number, options: ClaimOptions = {}, pendingLimit = limit): Query[] {
  const q = deps.db.collection(mirrorQueue);
  const now = Timestamp.fromMillis(deps.now());
  let pending = q.where("status", "==", "pending");
  if (options.pendingBefore) pending = pending.where("createdAt", "<=", options.pendingBefore);
  pending = pending.orderBy("createdAt").orderBy(FieldPath.documentId());
  if (options.pendingAfter) pending = pending.startAfter(options.pendingAfter.createdAt, options.pendingAfter.id);
  return [
    pending.limit(pendingLimit),
    q.where("status", "==", "failed").where("nextAttemptAt", "<=", now).orderBy("nextAttemptAt").limit(limit),
    q.where("status", "==", "processing").where("leaseExpiresAt", "<=", now).orderBy("leaseExpiresAt").limit(limit),
  ];
}

/** A due task as a plain query saw it: a candidate, decided for real in a transaction. */
export interface Candidate {
  id: string;
  uid: string;
  historyId: string;
  /** For a pending task: when it was enqueued (a worker's place in the backlog). */
  createdAt?: Timestamp;
}

/** Up to `limit` due tasks, read WITHOUT a transaction: a transactional query would lock
 *  every task it returns and make concurrent processors abort each other (the SDK then
 *  backs off a second). Each candidate is taken in its own transaction instead. The three
 *  kinds of due work take turns, so a pending backlog never starves failed tasks whose
 *  backoff passed nor tasks whose processor died. */
export async function findDue(deps: MirrorDeps, limit: number, options: ClaimOptions = {}, skip?: Set<string>): Promise<Candidate[]> {
  return (await findDueTasks(deps, limit, options, skip)).candidates;
}

/** findDue, and whether the pending tasks after `options.pendingAfter` ran out. Only what
 *  the decision needs is read of each task (select): a backlog query returns hundreds. */
export async function findDueTasks(
  deps: MirrorDeps,
  limit: number,
  options: ClaimOptions = {},
  skip?: Set<string>,
): Promise<{ candidates: Candidate[]; pendingExhausted: boolean }> {
  // Skipped ids may come back in every list; past `pendingAfter` no pending one can.
  const withSkips = limit + (skip?.size ?? 0);
  const pendingLimit = options.pendingAfter ? limit : withSkips;
  const queries = dueQueries(deps, withSkips, options, pendingLimit).map((q) => q.select("uid", "historyId", "createdAt"));
  const lists = await Promise.all(queries.map((q) => q.get()));
  const found = new Map<string, Candidate>();
  for (let i = 0; found.size < limit && lists.some((l) => i < l.size); i++) {
    lists.forEach((list, kind) => {
      const doc = list.docs[i];
      if (!doc || found.size >= limit || skip?.has(doc.id) || found.has(doc.id)) return;
      const createdAt = kind === 0 ? (doc.get("createdAt") as Timestamp | undefined) : undefined;
      found.set(doc.id, {
        id: doc.id,
        uid: String(doc.get("uid") ?? ""),
        historyId: String(doc.get("historyId") ?? ""),
        ...(createdAt ? { createdAt } : {}),
      });
    });
  }
  return { candidates: [...found.values()], pendingExhausted: lists[0]!.size < pendingLimit };
}
