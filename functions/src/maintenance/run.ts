import { FieldValue, Timestamp } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import { errorText } from "../shared/log";
import type { JobDefinition, JobDeps, JobOptions, JobResult } from "./job";

/** `maintenanceRuns/{runId}`: one record per run, so an admin sees what happened without logs.
 *  A TTL policy on `expireAt` deletes it: a run that did nothing and failed nothing after a
 *  day (recoverArtRequests runs every minute: 1,440 such records a day), any other after 30. */
export const maintenanceRuns = "maintenanceRuns";
export const idleRunRetentionMs = 24 * 3600_000;
export const runRetentionMs = 30 * 24 * 3600_000;

const idle = (result: JobResult) => result.errors.length === 0 && Object.values(result.counts).every((n) => n === 0);

export interface RunSummary extends JobResult {
  runId: string;
  job: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
}

/** Runs a job, then writes its record and one structured summary log. A job that throws
 *  is recorded as failed (and the error rethrown, so the scheduler sees it). */
export async function runJob(deps: JobDeps, job: JobDefinition, options: JobOptions): Promise<RunSummary> {
  const { name } = job;
  const ref = deps.db.collection(maintenanceRuns).doc();
  const startedAt = deps.now();
  let result: JobResult;
  try {
    result = await job.run(deps, options);
  } catch (error) {
    result = { counts: {}, errors: [{ id: "(run)", error: errorText(error) }] };
    await record(deps, ref.id, name, options, startedAt, result, "failed");
    throw error;
  }
  return record(deps, ref.id, name, options, startedAt, result, "finished");
}

async function record(
  deps: JobDeps,
  runId: string,
  job: string,
  options: JobOptions,
  startedAt: number,
  result: JobResult,
  status: string,
): Promise<RunSummary> {
  const finishedAt = deps.now();
  const summary: RunSummary = {
    runId,
    job,
    dryRun: options.dryRun,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    ...result,
    errors: result.errors.slice(0, 100),
  };
  await deps.db
    .collection(maintenanceRuns)
    .doc(runId)
    .set({
      ...summary,
      status,
      errorCount: result.errors.length,
      startedAt: Timestamp.fromMillis(startedAt),
      finishedAt: Timestamp.fromMillis(finishedAt),
      expireAt: Timestamp.fromMillis(finishedAt + (idle(result) ? idleRunRetentionMs : runRetentionMs)),
      recordedAt: FieldValue.serverTimestamp(),
    });
  const log = status === "finished" && result.errors.length === 0 ? logger.info : logger.warn;
  log("maintenance run", {
    runId,
    job,
    status,
    dryRun: options.dryRun,
    counts: result.counts,
    errorCount: result.errors.length,
    durationMs: finishedAt - startedAt,
  });
  return summary;
}
