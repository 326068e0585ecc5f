import { Timestamp } from "firebase-admin/firestore";
import type { JobDeps, JobOptions, JobResult } from "../maintenance/job";
import { mapLimit } from "../shared/map-limit";
import type { ArtDeps } from "./deps";
import { failRequest, postponeCheck, redispatch } from "./outcomes";
import { artRequests } from "./model";

const concurrency = 8;

/**
 * `recoverArtRequests` (every minute): the queued requests whose `checkAt` has passed, oldest
 * first (the `(status, checkAt)` index). For each, its processing entry in Redis decides:
 * - a worker whose heartbeat is recent: alive, look again after another stall period;
 * - no entry (the dispatch never ran, or a failed run gave it back for a retry) or a worker
 *   whose heartbeat stopped (its instance died): its entry is removed (only if unchanged
 *   since read) and the request dispatched again, or, once `maxAttempts` runs have failed,
 *   failed with its credits refunded.
 * Every step is a transaction on a request still queued at the attempt read, so two
 * recoveries, or a recovery and a late worker, never both act. Redis unreachable: the request
 * is left for the next run (a claim cannot be judged without it), and counted as an error.
 */
export function recoverArtRequests(deps: () => ArtDeps) {
  return async ({ now }: JobDeps, options: JobOptions): Promise<JobResult> => {
    const d = deps();
    const at = now();
    const due = await d.db
      .collection(artRequests)
      .where("status", "==", "queued")
      .where("checkAt", "<=", Timestamp.fromMillis(at))
      .orderBy("checkAt")
      .limit(options.limit ?? d.settings.recoveryBatch)
      .get();
    const counts = { due: due.size, alive: 0, redispatched: 0, failed: 0, skipped: 0 };
    const errors: JobResult["errors"] = [];
    const planned: string[] = [];
    await mapLimit(due.docs, concurrency, async (doc) => {
      const attempt = doc.get("attempt") as number;
      const failures = (doc.get("failures") as number) ?? 0;
      try {
        const live = await d.statuses.read(doc.id);
        const alive = live?.entry.status === "processing" && at - live.entry.updatedAt < d.settings.stallMs;
        const died = live !== null && !alive;
        // Dispatches that never ran (a lost event, a worker that threw before its claim) count
        // too: past twice the allowed runs the request fails and is refunded, never queued forever.
        const exhausted = failures + (died ? 1 : 0) >= d.settings.maxAttempts || attempt >= 2 * d.settings.maxAttempts;
        const action = alive ? "alive" : exhausted ? "fail" : "redispatch";
        if (options.dryRun) return void planned.push(`${doc.id}: ${action}`);
        if (action === "alive") {
          await postponeCheck(d, doc.id, attempt);
          return void counts.alive++;
        }
        if (live && !(await d.statuses.deleteIf(doc.id, live.raw))) return void counts.skipped++; // its worker just reported
        if (action === "fail") {
          const ended = await failRequest(
            d,
            doc.id,
            "The image could not be generated.",
            `gave up after ${attempt} dispatches, ${failures + (died ? 1 : 0)} failed runs`,
            attempt,
          );
          return void (ended ? counts.failed++ : counts.skipped++);
        }
        return void ((await redispatch(d, doc.id, attempt, died)) ? counts.redispatched++ : counts.skipped++);
      } catch (error) {
        errors.push({ id: doc.id, error: String(error) });
      }
    });
    return { counts, errors, ...(options.dryRun ? { planned } : {}) };
  };
}
