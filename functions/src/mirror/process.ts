import * as logger from "firebase-functions/logger";
import { mapLimit } from "../shared/map-limit";
import { applyTask, LeaseLostError, maxTasksPerTransaction, takeAndApply, takeAndApplyMany, type ApplyResult } from "./apply";
import { claimTask, findDue, type Candidate, type ClaimedTask, type ClaimOptions } from "./claim";
import type { MirrorDeps } from "./deps";
import { failTask, type FailResult } from "./fail";
import { flushInvalidations } from "../cache/outbox";
import { errorFields, errorText } from "../shared/log";

/** `error`: processing failed and so did recording the failure; the task is left as it was
 *  (pending, or leased until its lease expires) for the sweeper. */
export type TaskOutcome = ApplyResult["outcome"] | "failed" | "dead" | "lease-lost" | "error";
export interface Processed {
  id: string;
  outcome: TaskOutcome;
  tags: string[];
}

/** Test-injected crashes propagate like a dying process: nothing after them runs. */
function isCrash(error: unknown): boolean {
  return error instanceof Error && error.name === "InjectedCrash";
}

async function recordFailure(deps: MirrorDeps, task: ClaimedTask, error: unknown): Promise<FailResult> {
  deps.afterStep?.("recording-failure", task.id);
  const result = await failTask(deps, task, error);
  logger.warn("mirror task failed", {
    taskId: task.id,
    historyId: task.historyId,
    attempt: task.attempts,
    ...result,
    ...errorFields(error),
  });
  return result;
}

/** Bumps the tags of every changed task at once, then clears their outbox entries. */
async function flush(deps: MirrorDeps, results: Processed[]): Promise<void> {
  const changed = results.filter((r) => r.tags.length > 0);
  await flushInvalidations(deps.db, deps.invalidate, changed);
  for (const r of changed) deps.afterStep?.("invalidated", r.id);
}

/** The trigger path: claim one task by id under a lease, apply it, flush its invalidation. */
export async function processTask(deps: MirrorDeps, taskId: string): Promise<TaskOutcome> {
  return (await processTaskOnce(deps, taskId)).outcome;
}

async function processTaskOnce(deps: MirrorDeps, taskId: string): Promise<{ outcome: TaskOutcome; retryInMs?: number }> {
  const task = await claimTask(deps, taskId);
  if (!task) return { outcome: "skipped" };
  let result: Processed;
  try {
    deps.afterStep?.("claimed", task.id);
    result = { id: task.id, ...(await applyTask(deps, task)) };
    deps.afterStep?.("applied", task.id);
  } catch (error) {
    if (error instanceof LeaseLostError) return { outcome: "lease-lost" };
    if (isCrash(error)) throw error;
    return recordFailure(deps, task, error);
  }
  await flush(deps, [result]);
  return { outcome: result.outcome };
}

/** The trigger path with its retries: a failed attempt is tried again in this same run once
 *  its backoff passes (1-2 s, then 2-4 s, ...), while that stays within `budgetMs`; later
 *  attempts are the sweeper's. So a transient failure costs seconds, not the sweep minute. */
export async function processTaskWithRetries(deps: MirrorDeps, taskId: string, budgetMs: number): Promise<TaskOutcome> {
  const giveUpAt = deps.now() + budgetMs;
  for (;;) {
    const { outcome, retryInMs } = await processTaskOnce(deps, taskId);
    if (outcome !== "failed" || retryInMs === undefined || deps.now() + retryInMs > giveUpAt) return outcome;
    await new Promise((resolve) => setTimeout(resolve, retryInMs));
  }
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
    try {
      const claimed = await claimTask(deps, candidate.id);
      if (!claimed) return { id: candidate.id, outcome: "skipped", tags: [] };
      return { id: candidate.id, outcome: (await recordFailure(deps, claimed, error)).outcome, tags: [] };
    } catch (unrecorded) {
      if (isCrash(unrecorded)) throw unrecorded;
      logger.error("mirror task failed and its failure could not be recorded", {
        taskId: candidate.id,
        ...errorFields(error),
        unrecorded: errorText(unrecorded),
      });
      return { id: candidate.id, outcome: "error", tags: [] };
    }
  }
}

/** Several candidates of distinct items in one transaction (takeAndApplyMany); when that
 *  fails (a task that cannot be applied, contention), each is done on its own, so one bad
 *  task costs its batch a retry, never a lost or doubled attempt of the others. */
export async function processBatch(deps: MirrorDeps, candidates: Candidate[]): Promise<Processed[]> {
  if (candidates.length === 1) return [await processOne(deps, candidates[0]!)];
  let results: Processed[];
  try {
    results = await takeAndApplyMany(deps, candidates);
  } catch (error) {
    if (isCrash(error)) throw error;
    return Promise.all(candidates.map((c) => processOne(deps, c)));
  }
  for (const r of results) if (r.outcome !== "skipped") deps.afterStep?.("applied", r.id);
  return results;
}

/** Splits candidates into batches of up to `size`, never two tasks of one item in a batch
 *  (a later task of an item goes to a later batch), in order; `requested` is kept within
 *  1..maxTasksPerTransaction. */
export function batchesOf(candidates: Candidate[], requested: number): Candidate[][] {
  const size = Math.max(1, Math.min(Math.floor(requested), maxTasksPerTransaction));
  const batches: Array<{ tasks: Candidate[]; items: Set<string> }> = [];
  for (const c of candidates) {
    let batch = batches.find((b) => b.tasks.length < size && !b.items.has(c.historyId));
    if (!batch) batches.push((batch = { tasks: [], items: new Set() }));
    batch.tasks.push(c);
    batch.items.add(c.historyId);
  }
  return batches.map((b) => b.tasks);
}

/** How many tasks of a backlog share one transaction by default (see takeAndApplyMany). */
export const defaultTasksPerTransaction = 8;

/** Processes candidates, `concurrency` transactions in flight of up to `perTransaction` tasks
 *  each, then flushes all their tags at once. A task that fails never keeps the others'
 *  invalidations from being flushed. */
export async function processCandidates(
  deps: MirrorDeps,
  candidates: Candidate[],
  concurrency: number,
  perTransaction = defaultTasksPerTransaction,
): Promise<TaskOutcome[]> {
  const done = new Map<string, Processed>();
  await mapLimit(batchesOf(candidates, perTransaction), concurrency, async (batch) => {
    for (const r of await processBatch(deps, batch)) done.set(r.id, r);
  });
  const results = candidates.map((c) => done.get(c.id)!);
  await flush(deps, results);
  return results.map((r) => r.outcome);
}

/** Finds up to `limit` due tasks and processes them (the sweeper and the tests). */
export async function processDue(deps: MirrorDeps, limit: number, concurrency: number, options: ClaimOptions = {}): Promise<TaskOutcome[]> {
  return processCandidates(deps, await findDue(deps, limit, options), concurrency);
}
