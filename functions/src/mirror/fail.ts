import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { retryDelayMs } from "./backoff";
import type { ClaimedTask } from "./claim";
import type { MirrorDeps } from "./deps";
import { mirrorQueue } from "./paths";
import { maxAttempts } from "./task";

export interface FailResult {
  outcome: "failed" | "dead" | "lease-lost";
  /** For `failed`: when the task is due again, from now. */
  retryInMs?: number;
}

/** Records a failed attempt: `failed` with a backoff, or `dead` after the last attempt.
 *  Only the lease holder may record it (a late, superseded processor changes nothing). */
export async function failTask(deps: MirrorDeps, task: ClaimedTask, error: unknown): Promise<FailResult> {
  const ref = deps.db.collection(mirrorQueue).doc(task.id);
  const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
  const retryInMs = retryDelayMs(task.attempts);
  return deps.db.runTransaction(async (tx): Promise<FailResult> => {
    const t = (await tx.get(ref)).data();
    if (t?.status !== "processing" || t.leaseOwner !== deps.workerId || t.attempts !== task.attempts) return { outcome: "lease-lost" };
    const now = deps.now();
    const dead = task.attempts >= maxAttempts;
    tx.update(ref, {
      status: dead ? "dead" : "failed",
      lastError: message,
      lastFailedAt: Timestamp.fromMillis(now),
      ...(dead ? { expireAt: FieldValue.delete() } : { nextAttemptAt: Timestamp.fromMillis(now + retryInMs) }),
      leaseOwner: FieldValue.delete(),
      leaseExpiresAt: FieldValue.delete(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return dead ? { outcome: "dead" } : { outcome: "failed", retryInMs };
  });
}
