import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { retryDelayMs } from "./backoff";
import type { ClaimedTask } from "./claim";
import type { MirrorDeps } from "./deps";
import { mirrorQueue } from "./paths";
import { maxAttempts } from "./task";

/** Records a failed attempt: `failed` with a backoff, or `dead` after the last attempt.
 *  Only the lease holder may record it (a late, superseded processor changes nothing). */
export async function failTask(deps: MirrorDeps, task: ClaimedTask, error: unknown): Promise<"failed" | "dead" | "lease-lost"> {
  const ref = deps.db.collection(mirrorQueue).doc(task.id);
  const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
  return deps.db.runTransaction(async (tx) => {
    const t = (await tx.get(ref)).data();
    if (t?.status !== "processing" || t.leaseOwner !== deps.workerId || t.attempts !== task.attempts) return "lease-lost";
    const now = deps.now();
    const dead = task.attempts >= maxAttempts;
    tx.update(ref, {
      status: dead ? "dead" : "failed",
      lastError: message,
      lastFailedAt: Timestamp.fromMillis(now),
      ...(dead ? {} : { nextAttemptAt: Timestamp.fromMillis(now + retryDelayMs(task.attempts)) }),
      leaseOwner: FieldValue.delete(),
      leaseExpiresAt: FieldValue.delete(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return dead ? "dead" : "failed";
  });
}
