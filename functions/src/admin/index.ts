import { onCall } from "firebase-functions/https";
import * as logger from "firebase-functions/logger";
import { z } from "zod";
import { mediaSecrets } from "../canvas/media/config";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { runJob } from "../maintenance/run";
import { retryDeadTasks } from "../mirror/retry-dead";
import { functionMirrorDeps } from "../mirror/runtime";
import { queueStats } from "../mirror/stats";
import { parseInput, requireAdmin } from "../shared/callable";
import { db } from "../shared/firebase";
import { docId } from "../shared/ids";
import { scoreMax, scoreMin } from "./config";
import { maintenanceJobs, runJobInput } from "./jobs";
import { updateAestheticScore as update, updateScoreInput } from "./update-score";

// The admin panel's callables: signed in with the custom claim `admin: true`.

export const updateAestheticScore = onCall({ secrets: [upstashToken] }, async (request) => {
  const adminUid = requireAdmin(request);
  const input = parseInput(updateScoreInput({ min: scoreMin.value(), max: scoreMax.value() }), request.data);
  const result = await update({ db: db(), cache: cache() }, adminUid, input);
  logger.info("aestheticScore updated", {
    adminUid,
    uid: input.uid,
    historyId: input.historyId,
    before: result.previousScore,
    after: input.score,
  });
  return result;
});

export const getMirrorQueueStats = onCall(async (request) => {
  requireAdmin(request);
  return queueStats(db(), Date.now());
});

/** `retryDeadMirrorTasks({ taskIds? })`: all dead tasks, or these (at most 500). */
const retryDeadInput = z.strictObject({ taskIds: z.array(docId).min(1).max(500).optional() });

export const retryDeadMirrorTasks = onCall({ secrets: [upstashToken] }, async (request) => {
  const admin = requireAdmin(request);
  const { taskIds } = parseInput(retryDeadInput, request.data ?? {});
  const result = await retryDeadTasks(functionMirrorDeps("admin"), taskIds);
  logger.info("dead mirror tasks retried", { admin, requeued: result.requeued.length, skipped: result.skipped.length });
  return result;
});

/** `runMaintenanceJob({ job, dryRun?, limit? })`: runs a job now and returns its summary,
 *  recorded in maintenanceRuns like a scheduled run. */
export const runMaintenanceJob = onCall(
  { secrets: [upstashToken, ...mediaSecrets], timeoutSeconds: 540, memory: "1GiB" },
  async (request) => {
    requireAdmin(request);
    const { job, dryRun, limit } = parseInput(runJobInput, request.data);
    const definition = maintenanceJobs().find((j) => j.name === job)!;
    return runJob({ db: db(), now: Date.now }, definition, { dryRun, ...(limit === undefined ? {} : { limit }) });
  },
);
