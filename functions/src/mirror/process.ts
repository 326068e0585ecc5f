import * as logger from "firebase-functions/logger";
import { mapLimit } from "../shared/map-limit";
import { applyTask, LeaseLostError, type ApplyResult } from "./apply";
import { claimTask, type ClaimedTask } from "./claim";
import type { MirrorDeps } from "./deps";
import { failTask } from "./fail";
import { flushInvalidations } from "./outbox";

export type TaskOutcome = ApplyResult["outcome"] | "skipped" | "failed" | "dead" | "lease-lost";

async function applyOrFail(deps: MirrorDeps, task: ClaimedTask): Promise<{ outcome: TaskOutcome; tags: string[] }> {
  try {
    const result = await applyTask(deps, task);
    deps.afterStep?.("applied", task.id);
    return result;
  } catch (error) {
    if (error instanceof LeaseLostError) return { outcome: "lease-lost", tags: [] };
    if (isCrash(error)) throw error;
    const outcome = await failTask(deps, task, error);
    logger.warn("mirror task failed", { taskId: task.id, historyId: task.historyId, attempt: task.attempts, outcome, error: String(error) });
    return { outcome, tags: [] };
  }
}

/** Test-injected crashes propagate like a dying process: nothing after them runs. */
function isCrash(error: unknown): boolean {
  return error instanceof Error && error.name === "InjectedCrash";
}

/** Applies claimed tasks with `concurrency` in flight, then bumps all changed tags at once. */
export async function processClaimed(deps: MirrorDeps, tasks: ClaimedTask[], concurrency: number): Promise<TaskOutcome[]> {
  const results = await mapLimit(tasks, concurrency, (task) => applyOrFail(deps, task));
  const changed = tasks.map((t, i) => ({ id: t.id, tags: results[i]!.tags })).filter((e) => e.tags.length > 0);
  await flushInvalidations(deps.db, deps.invalidate, changed);
  for (const e of changed) deps.afterStep?.("invalidated", e.id);
  return results.map((r) => r.outcome);
}

/** The trigger path: claim one task by id, apply it, flush its invalidation. */
export async function processTask(deps: MirrorDeps, taskId: string): Promise<TaskOutcome> {
  const task = await claimTask(deps, taskId);
  if (!task) return "skipped";
  deps.afterStep?.("claimed", task.id);
  const [outcome] = await processClaimed(deps, [task], 1);
  return outcome!;
}
