import * as logger from "firebase-functions/logger";
import { mapLimit } from "../shared/map-limit";
import { applyTask, LeaseLostError, takeAndApply, type ApplyResult } from "./apply";
import { claimTask, findDue, type Candidate, type ClaimedTask, type ClaimOptions } from "./claim";
import type { MirrorDeps } from "./deps";
import { failTask } from "./fail";
import { flushInvalidations } from "../cache/outbox";

export type TaskOutcome = ApplyResult["outcome"] | "failed" | "dead" | "lease-lost";
export interface Processed {
  id: string;
  outcome: TaskOutcome;
  tags: string[];
}

/** Test-injected crashes propagate like a dying process: nothing after them runs. */
function isCrash(error: unknown): boolean {
  return error instanceof Error && error.name === "InjectedCrash";
}

async function recordFailure(deps: MirrorDeps, task: ClaimedTask, error: unknown): Promise<TaskOutcome> {
  const outcome = await failTask(deps, task, error);
  logger.warn("mirror task failed", { taskId: task.id, historyId: task.historyId, attempt: task.attempts, outcome, error: String(error) });
  return outcome;
}

/** Bumps the tags of every changed task at once, then clears their outbox entries. */
async function flush(deps: MirrorDeps, results: Processed[]): Promise<void> {
  const changed = results.filter((r) => r.tags.length > 0);
  await flushInvalidations(deps.db, deps.invalidate, changed);
  for (const r of changed) deps.afterStep?.("invalidated", r.id);
}

/** The trigger path: claim one task by id under a lease, apply it, flush its invalidation. */
export async function processTask(deps: MirrorDeps, taskId: string): Promise<TaskOutcome> {
  const task = await claimTask(deps, taskId);
  if (!task) return "skipped";
  deps.afterStep?.("claimed", task.id);
  let result: Processed;
  try {
    result = { id: task.id, ...(await applyTask(deps, task)) };
    deps.afterStep?.("applied", task.id);
  } catch (error) {
    if (error instanceof LeaseLostError) return "lease-lost";
    if (isCrash(error)) throw error;
    return recordFailure(deps, task, error);
  }
  await flush(deps, [result]);
  return result.outcome;
}

/** One candidate on the direct path; the caller flushes its tags. A failure is recorded against a fresh claim, so it
 *  counts as an attempt exactly once even if several processors saw the task fail. */
export async function processOne(deps: MirrorDeps, candidate: Candidate): Promise<Processed> {
  try {
    const result = await takeAndApply(deps, candidate);
    if (result.outcome !== "skipped") deps.afterStep?.("applied", candidate.id);
    return { id: candidate.id, outcome: result.outcome, tags: result.tags };
  } catch (error) {
    if (isCrash(error)) throw error;
    const claimed = await claimTask(deps, candidate.id);
    if (!claimed) return { id: candidate.id, outcome: "skipped", tags: [] };
    return { id: candidate.id, outcome: await recordFailure(deps, claimed, error), tags: [] };
  }
}

/** Processes candidates with `concurrency` in flight, then flushes all their tags at once. */
export async function processCandidates(deps: MirrorDeps, candidates: Candidate[], concurrency: number): Promise<TaskOutcome[]> {
  const results = await mapLimit(candidates, concurrency, (c) => processOne(deps, c));
  await flush(deps, results);
  return results.map((r) => r.outcome);
}

/** Finds up to `limit` due tasks and processes them (the sweeper and the tests). */
export async function processDue(deps: MirrorDeps, limit: number, concurrency: number, options: ClaimOptions = {}): Promise<TaskOutcome[]> {
  return processCandidates(deps, await findDue(deps, limit, options), concurrency);
}
