import { Timestamp } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import type { MirrorDeps } from "./deps";
import { processDue, type TaskOutcome } from "./process";
import { queueStats, type QueueStats } from "./stats";

export interface SweepOptions {
  /** A pending task younger than this still has its trigger coming. */
  pendingGraceMs: number;
  limit: number;
  concurrency: number;
}
export const defaultSweep: SweepOptions = { pendingGraceMs: 60_000, limit: 300, concurrency: 8 };

export interface SweepReport {
  redriven: number;
  outcomes: Partial<Record<TaskOutcome, number>>;
  stats: QueueStats;
}

/** Re-drives what the trigger path left behind (pending tasks whose trigger never ran,
 *  expired leases, failed tasks whose backoff passed) and reports queue depth (the cache
 *  outbox has its own replay, replayCacheInvalidations).
 *  Safe to run concurrently with anything: each task is taken in a transaction. */
export async function sweepQueue(deps: MirrorDeps, options: SweepOptions = defaultSweep): Promise<SweepReport> {
  const outcomes: SweepReport["outcomes"] = {};
  let redriven = 0;
  while (redriven < options.limit) {
    const batch = await processDue(deps, Math.min(100, options.limit - redriven), options.concurrency, {
      pendingBefore: Timestamp.fromMillis(deps.now() - options.pendingGraceMs),
    });
    if (batch.length === 0) break;
    redriven += batch.length;
    for (const outcome of batch) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  const stats = await queueStats(deps.db, deps.now());
  // Counts only: the dead tasks' errors are in the panel's Queue page (up to 100 of them, 1,000
  // characters each, would make every minute's entry ~100 KB).
  const { counts, depth, oldestPendingAgeMs, deadTasks } = stats;
  logger.info("mirror queue swept", { redriven, outcomes, counts, depth, oldestPendingAgeMs, deadShown: deadTasks.length });
  return { redriven, outcomes, stats };
}
