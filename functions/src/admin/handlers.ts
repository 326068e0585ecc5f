import type { CallableRequest } from "firebase-functions/https";
import * as logger from "firebase-functions/logger";
import { cache } from "../cache/instance";
import { families, invalidationTable } from "../cache/map";
import { runJob } from "../maintenance/run";
import { listRuns } from "../maintenance/runs";
import { retryDeadTasks } from "../mirror/retry-dead";
import { functionMirrorDeps } from "../mirror/runtime";
import { queueStats } from "../mirror/stats";
import { parseInput, requireAdmin } from "../shared/callable";
import { db } from "../shared/firebase";
import { scoreMax, scoreMin } from "./config";
import { findItemsInput, findPublicItems } from "./find";
import { listRunsInput, runJobInput } from "./jobs";
import { noInput, retryDeadInput } from "./schemas";
import { updateAestheticScore, updateScoreInput } from "./update-score";

// The admin panel's callables: signed in with the custom claim `admin: true`. Wired in index.ts.

export async function updateScoreHandler(request: CallableRequest) {
  const adminUid = requireAdmin(request);
  const input = parseInput(updateScoreInput({ min: scoreMin.value(), max: scoreMax.value() }), request.data);
  const result = await updateAestheticScore({ db: db(), cache: cache() }, adminUid, input);
  logger.info("aestheticScore updated", {
    adminUid,
    uid: input.uid,
    historyId: input.historyId,
    before: result.previousScore,
    after: input.score,
  });
  return result;
}

export async function queueStatsHandler(request: CallableRequest) {
  requireAdmin(request);
  parseInput(noInput, request.data ?? {});
  return queueStats(db(), Date.now());
}

export async function retryDeadHandler(request: CallableRequest) {
  const admin = requireAdmin(request);
  const { taskIds } = parseInput(retryDeadInput, request.data ?? {});
  const result = await retryDeadTasks(functionMirrorDeps("admin"), taskIds);
  logger.info("dead mirror tasks retried", { admin, requeued: result.requeued.length, skipped: result.skipped.length });
  return result;
}

/** Runs a job now and returns its summary, recorded in maintenanceRuns like a scheduled run. */
export async function runJobHandler(request: CallableRequest) {
  requireAdmin(request);
  const { job, dryRun, limit } = parseInput(runJobInput, request.data);
  const { maintenanceJobs } = await import("./job-registry");
  const definition = maintenanceJobs().find((j) => j.name === job)!;
  return runJob({ db: db(), now: Date.now }, definition, { dryRun, ...(limit === undefined ? {} : { limit }) });
}

export async function listRunsHandler(request: CallableRequest) {
  requireAdmin(request);
  return listRuns(db(), parseInput(listRunsInput, request.data ?? {}));
}

export async function findItemsHandler(request: CallableRequest) {
  requireAdmin(request);
  return findPublicItems(db(), parseInput(findItemsInput, request.data).q);
}

/** The invalidation map as a table, and the cache counters: today's of every instance
 *  (null when Redis does not answer), and this instance's since it started. */
export async function cacheOverviewHandler(request: CallableRequest) {
  requireAdmin(request);
  parseInput(noInput, request.data ?? {});
  return {
    writes: invalidationTable(),
    reads: Object.values(families).map((f) => ({ name: f.name, doc: f.doc, ttlSeconds: f.ttlSeconds })),
    shared: await cache()
      .sharedMetrics()
      .catch(() => null),
    instance: cache().metrics(),
  };
}
