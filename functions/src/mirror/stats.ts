import { Timestamp, type Firestore, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { mirrorQueue } from "./paths";
import { taskStatuses, type TaskStatus } from "./task";

interface FailedTask {
  taskId: string;
  status: string;
  historyId: string;
  attempts: number;
  lastError: string;
  lastFailedAt: string | null;
}

export interface QueueStats {
  counts: Record<TaskStatus, number>;
  depth: number;
  oldestPendingAgeMs: number | null;
  /** The 10 newest failed or dead tasks. */
  recentFailures: FailedTask[];
  /** The newest dead tasks (at most 100), the ones an admin may retry: a burst of failed
   *  tasks never hides them. */
  deadTasks: FailedTask[];
}

export const deadTasksShown = 100;

const failedTask = (d: QueryDocumentSnapshot): FailedTask => ({
  taskId: d.id,
  status: String(d.get("status")),
  historyId: String(d.get("historyId")),
  attempts: Number(d.get("attempts") ?? 0),
  lastError: String(d.get("lastError") ?? ""),
  lastFailedAt: (d.get("lastFailedAt") as Timestamp | undefined)?.toDate().toISOString() ?? null,
});

/** Counts by status (aggregation queries: no documents read), the oldest pending task's
 *  age, the latest failures and the dead tasks. */
export async function queueStats(db: Firestore, now: number): Promise<QueueStats> {
  const q = db.collection(mirrorQueue);
  const [counts, oldest, failures, dead] = await Promise.all([
    Promise.all(taskStatuses.map(async (s) => [s, (await q.where("status", "==", s).count().get()).data().count] as const)),
    q.where("status", "==", "pending").orderBy("createdAt").limit(1).get(),
    q.where("status", "in", ["failed", "dead"]).orderBy("lastFailedAt", "desc").limit(10).get(),
    q.where("status", "==", "dead").orderBy("lastFailedAt", "desc").limit(deadTasksShown).get(),
  ]);
  const byStatus = Object.fromEntries(counts) as Record<TaskStatus, number>;
  const createdAt = oldest.docs[0]?.get("createdAt");
  return {
    counts: byStatus,
    depth: byStatus.pending + byStatus.processing + byStatus.failed,
    oldestPendingAgeMs: createdAt instanceof Timestamp ? Math.max(0, now - createdAt.toMillis()) : null,
    recentFailures: failures.docs.map(failedTask),
    deadTasks: dead.docs.map(failedTask),
  };
}
