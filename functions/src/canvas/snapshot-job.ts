import { FieldPath, Timestamp, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { loadPosition, positionCursor, savePosition, type Position } from "../maintenance/cursors";
import type { JobDefinition, JobDeps, JobOptions, JobResult } from "../maintenance/job";
import { mapLimit } from "../shared/map-limit";
import { canvasSettings, snapshotTimeoutSeconds, snapshotTimeZone, type CanvasSettings } from "./config";
import * as logs from "./logs";
import { canvasProjects } from "./model";
import { snapshotProject, type SnapshotHooks } from "./snapshot";

const jobName = "snapshotCanvasProjects";
/** Projects snapshotted at once: each holds its elements in memory while it runs. */
const projectConcurrency = 4;

/** The position of a project in due order: the last one a run reached. */
const positionOf = (doc: QueryDocumentSnapshot): Position => ({ at: doc.get("snapshotDueAt") as Timestamp, id: doc.id });

/** Due projects in due order, after the cursor. `snapshotDueAt` with an order on it and the
 *  document id uses the automatic single-field index: no composite index is needed. */
async function dueProjects(deps: JobDeps, limit: number, after: Position | null) {
  let query = deps.db
    .collection(canvasProjects)
    .where("snapshotDueAt", "<=", Timestamp.fromMillis(deps.now()))
    .orderBy("snapshotDueAt")
    .orderBy(FieldPath.documentId())
    .select("snapshotDueAt", "opIndex", "lastSnapshotOpIndex")
    .limit(limit);
  if (after) query = query.startAfter(after.at, after.id);
  return (await query.get()).docs;
}

/**
 * Snapshots the projects that are due: `opsPerSnapshot` ops since the last snapshot, or a
 * day since it with at least one op (see `snapshotDueAt` in ops.ts). At most `limit` per run;
 * a run that stops at the limit or its time budget leaves a cursor, and the next run goes on
 * from there (a run that reaches the end starts the next one from the top). A failing project
 * is counted in `errors` and the run goes on.
 */
export async function snapshotDueProjects(
  deps: JobDeps,
  options: JobOptions,
  settings: CanvasSettings,
  hooks?: SnapshotHooks,
): Promise<JobResult> {
  const started = deps.now();
  const limit = options.limit ?? settings.batch;
  const saved = await loadPosition(deps, jobName);
  const candidates = await dueProjects(deps, limit, saved);
  const reachedEnd = candidates.length < limit;

  if (options.dryRun) {
    const planned = candidates.map(
      (d) => `${d.id}: opIndex ${d.get("opIndex")}, ${d.get("opIndex") - d.get("lastSnapshotOpIndex")} ops since the last snapshot`,
    );
    const cursor = reachedEnd ? null : positionCursor(positionOf(candidates[candidates.length - 1]!));
    return { counts: { due: candidates.length }, errors: [], planned, cursor };
  }

  const counts: Record<string, number> = {
    due: candidates.length,
    snapshotted: 0,
    upToDate: 0,
    alreadySnapshotted: 0,
    obsolete: 0,
    missing: 0,
    deferred: 0,
    parts: 0,
    pruned: 0,
  };
  const errors: JobResult["errors"] = [];
  let lastReached = -1;
  await mapLimit(candidates, projectConcurrency, async (doc, i) => {
    // Past the budget nothing more is started; mapLimit starts in order, so the rest is a tail.
    if (deps.now() - started > settings.budgetMs) {
      counts.deferred!++;
      return;
    }
    lastReached = Math.max(lastReached, i);
    try {
      const report = await snapshotProject(deps, doc.id, hooks);
      counts[report.outcome]!++;
      counts.parts! += report.partCount;
      counts.pruned! += report.pruned;
    } catch (error) {
      logs.snapshotFailed(doc.id, error);
      errors.push({ id: doc.id, error: String(error) });
    }
  });

  const next = reachedEnd && counts.deferred === 0 ? null : lastReached < 0 ? saved : positionOf(candidates[lastReached]!);
  const cursor = await savePosition(deps, jobName, next);
  return { counts, errors, cursor };
}

/** Snapshots of canvas projects (snapshotCanvasProjects), every 6 hours. No platform retry:
 *  a failed project stays due for the next run. */
export const snapshotJob: JobDefinition = {
  name: jobName,
  schedule: "0 */6 * * *",
  timeZone: snapshotTimeZone,
  timeoutSeconds: snapshotTimeoutSeconds.param,
  memory: "1GiB",
  secrets: [],
  run: (deps, options) => snapshotDueProjects(deps, options, canvasSettings()),
};
