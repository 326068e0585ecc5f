import { randomUUID } from "node:crypto";
import { FieldPath, FieldValue, Timestamp, type DocumentReference, type DocumentSnapshot, type Query } from "firebase-admin/firestore";
import { loadPosition, positionCursor, savePosition, type Position } from "../../maintenance/cursors";
import type { JobDefinition, JobDeps, JobResult } from "../../maintenance/job";
import { mapLimit } from "../../shared/map-limit";
import { describeIssues } from "../../shared/zod";
import { mediaBatch, mediaGcTimeoutSeconds, mediaGcTimeZone, mediaSecrets, mediaTtlDays } from "./config";
import * as logs from "./logs";
import { canvasMedia, canvasMediaSchema, type CanvasMedia } from "./model";
import type { MediaStore } from "./store";
import { errorText } from "../../shared/log";

const jobName = "collectCanvasMedia";
const dayMs = 24 * 60 * 60_000;
/** Records read per query: bounds memory whatever the run's limit. */
const pageSize = 500;

export interface GcSettings {
  ttlDays: number;
  batchSize: number;
  /** Media in flight at once (each: three transactions and two or three store requests). */
  concurrency: number;
  /** A claim older than this was left by a run that crashed or timed out: it may be retaken.
   *  Longer than the function timeout (540 s), so a live run never loses its claims. */
  claimTtlMs: number;
}

interface Run {
  deps: JobDeps;
  store: MediaStore;
  settings: GcSettings;
  cutoff: number;
  claimId: string;
}
type Outcome = { kind: "deleted" | "alreadyGone" | "skipped" | "error"; bytesFreed: number; error?: string };
type Verdict =
  { ok: true; media: CanvasMedia } | { ok: false; why: "gone" | "malformed" | "referenced" | "young" | "claimed"; problems?: string };

/**
 * collectCanvasMedia, daily at 03:00: deletes canvas media that no project references and
 * that is older than the TTL: object first, then record, each under a claim (see `collect`).
 * Settings not given are read from the params when the job runs; `options.limit` overrides
 * the batch size.
 */
export function mediaGcJob(store: MediaStore, overrides: Partial<GcSettings> = {}): JobDefinition {
  return {
    name: jobName,
    schedule: "0 3 * * *",
    timeZone: mediaGcTimeZone,
    timeoutSeconds: mediaGcTimeoutSeconds.param,
    memory: "512MiB",
    secrets: mediaSecrets,
    run: (deps, options) => collectMedia(deps, options, store, overrides),
  };
}

async function collectMedia(
  deps: JobDeps,
  options: { dryRun: boolean; limit?: number },
  store: MediaStore,
  overrides: Partial<GcSettings>,
): Promise<JobResult> {
  const settings = settingsFor(overrides);
  const limit = options.limit ?? settings.batchSize;
  const run: Run = { deps, store, settings, cutoff: deps.now() - settings.ttlDays * dayMs, claimId: randomUUID() };
  const counts: Record<string, number> = { deleted: 0, alreadyGone: 0, skipped: 0, errors: 0, bytesFreed: 0 };
  const errors: JobResult["errors"] = [];
  const planned: string[] = [];
  let cursor = await loadPosition(deps, jobName);
  let seen = 0;
  let atEnd = false;
  while (seen < limit && !atEnd) {
    const size = Math.min(pageSize, limit - seen);
    const docs = (await candidates(run, cursor).limit(size).get()).docs;
    atEnd = docs.length < size;
    seen += docs.length;
    const last = docs[docs.length - 1];
    if (last) cursor = { at: last.get("createdAt") as Timestamp, id: last.id };
    if (options.dryRun) {
      for (const doc of docs) {
        const verdict = judge(run, doc);
        if (!verdict.ok) continue;
        planned.push(`${doc.id}: ${verdict.media.storagePath} (${verdict.media.sizeBytes} bytes)`);
        counts.plannedBytes = (counts.plannedBytes ?? 0) + verdict.media.sizeBytes;
      }
      continue;
    }
    const outcomes = await mapLimit(docs, settings.concurrency, (doc) =>
      collect(run, doc.ref).catch((error: unknown): Outcome => {
        logs.itemFailed(doc.id, error); // e.g. Firestore unavailable: a left claim expires
        return { kind: "error", bytesFreed: 0, error: errorText(error) };
      }),
    );
    outcomes.forEach((outcome, i) => {
      counts[outcome.kind === "error" ? "errors" : outcome.kind]! += 1;
      counts.bytesFreed! += outcome.bytesFreed;
      if (outcome.error) errors.push({ id: docs[i]!.id, error: outcome.error });
    });
  }
  // At the end the next run starts over from the oldest, picking up what failed here.
  const next = atEnd ? null : cursor;
  if (options.dryRun) return { counts: { ...counts, planned: planned.length }, errors, cursor: positionCursor(next), planned };
  return { counts, errors, cursor: await savePosition(deps, jobName, next) };
}

function settingsFor(overrides: Partial<GcSettings>): GcSettings {
  const settings = {
    ttlDays: overrides.ttlDays ?? mediaTtlDays.value(),
    batchSize: overrides.batchSize ?? mediaBatch.value(),
    concurrency: overrides.concurrency ?? 32,
    claimTtlMs: overrides.claimTtlMs ?? 10 * 60_000,
  };
  // A TTL of 0 would collect all unreferenced media at once.
  if (!(settings.ttlDays >= 1)) throw new Error(`CANVAS_MEDIA_TTL_DAYS must be at least 1, is ${settings.ttlDays}`);
  if (!(settings.batchSize >= 1)) throw new Error(`CANVAS_MEDIA_BATCH must be at least 1, is ${settings.batchSize}`);
  return settings;
}

/** Index: canvasMedia referencedByCount ASC, createdAt ASC (then __name__, implied). */
function candidates(run: Run, after: Position | null): Query {
  const query = run.deps.db
    .collection(canvasMedia)
    .where("referencedByCount", "==", 0)
    .where("createdAt", "<=", Timestamp.fromMillis(run.cutoff))
    .orderBy("createdAt")
    .orderBy(FieldPath.documentId());
  return after ? query.startAfter(after.at, after.id) : query;
}

/** Whether a record may be collected now. Anything unexpected keeps it. */
function judge(run: Run, snap: DocumentSnapshot): Verdict {
  if (!snap.exists) return { ok: false, why: "gone" };
  const parsed = canvasMediaSchema.safeParse(snap.data());
  if (!parsed.success) return { ok: false, why: "malformed", problems: describeIssues(parsed.error, "record", 20) };
  const media = parsed.data;
  if (media.referencedByCount !== 0) return { ok: false, why: "referenced" };
  if (media.createdAt.toMillis() > run.cutoff) return { ok: false, why: "young" };
  if (media.unreferencedAt && media.unreferencedAt.toMillis() > run.cutoff) return { ok: false, why: "young" };
  if (media.deletingAt && run.deps.now() - media.deletingAt.toMillis() < run.settings.claimTtlMs) return { ok: false, why: "claimed" };
  return { ok: true, media };
}

const unclaim = { deletingAt: FieldValue.delete(), deletingBy: FieldValue.delete() };

/**
 * One media, in the order that is safe under races:
 * 1. claim it in a transaction that re-reads it (still unreferenced, old, not claimed by a
 *    live run), so a concurrent run skips it and reference-taking code refuses it;
 * 2. delete the object: HEAD (already gone?), DELETE, then HEAD again until it confirms the
 *    object is gone. Once a DELETE was sent, only that confirmation ends the claim: a DELETE
 *    that failed or timed out may still have removed the object, so the claim is kept (it
 *    expires after claimTtlMs, and the next run asks HEAD again) and a reference can never be
 *    taken to an object that may be gone. The claim is given back only when no DELETE was sent;
 * 3. in a transaction, delete the record if it is still ours and still unreferenced.
 * A project that took a reference between 1 and 3 despite the claim (code not checking
 * `deletingAt`) is the one race no order can close: the object is gone by then. The record
 * is kept, unclaimed, and the run counts it as an error for someone to look at.
 */
async function collect(run: Run, ref: DocumentReference): Promise<Outcome> {
  const { db, now } = run.deps;
  const verdict = await db.runTransaction(async (tx) => {
    const judged = judge(run, await tx.get(ref));
    if (judged.ok) tx.update(ref, { deletingAt: Timestamp.fromMillis(now()), deletingBy: run.claimId });
    return judged;
  });
  if (!verdict.ok) {
    if (verdict.why !== "malformed") return { kind: "skipped", bytesFreed: 0 };
    logs.malformed(ref.id, verdict.problems ?? "");
    return { kind: "error", bytesFreed: 0, error: `malformed record: ${verdict.problems}` };
  }
  const { storagePath, sizeBytes } = verdict.media;
  let removed: "deleted" | "missing";
  try {
    removed = await deleteObject(run.store, storagePath);
  } catch (error) {
    logs.storageFailed(ref.id, storagePath, error);
    if (error instanceof DeleteUnconfirmed) return { kind: "error", bytesFreed: 0, error: `storage (claim kept): ${errorText(error)}` };
    await release(run, ref);
    return { kind: "error", bytesFreed: 0, error: `storage: ${errorText(error)}` };
  }
  // What left storage, whatever becomes of the record below.
  const bytesFreed = removed === "deleted" ? sizeBytes : 0;
  const finished = await db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (!snap.exists) return "gone";
    if (snap.get("deletingBy") !== run.claimId) return "lost";
    if (snap.get("referencedByCount") !== 0) {
      tx.update(ref, unclaim);
      return "referenced";
    }
    tx.delete(ref);
    return "removed";
  });
  if (finished === "removed") return { kind: removed === "deleted" ? "deleted" : "alreadyGone", bytesFreed };
  if (finished === "referenced") {
    logs.referencedWhileDeleting(ref.id, storagePath);
    return { kind: "error", bytesFreed, error: "referenced while being deleted: object removed, record kept" };
  }
  if (finished === "lost") logs.claimLost(ref.id);
  return { kind: "skipped", bytesFreed };
}

/** A DELETE was sent and the object is not known to be gone: the claim must stay. */
class DeleteUnconfirmed extends Error {
  override name = "DeleteUnconfirmed";
}

/** HEAD, DELETE, HEAD: "missing" when it was already gone; throws DeleteUnconfirmed once a
 *  DELETE was sent without a HEAD confirming the object is gone. */
async function deleteObject(store: MediaStore, path: string): Promise<"deleted" | "missing"> {
  if (!(await store.exists(path))) return "missing";
  try {
    await store.delete(path);
    if (await store.exists(path)) throw new Error("the object is still there after DELETE");
  } catch (error) {
    throw new DeleteUnconfirmed(`${error instanceof Error ? error.message : String(error)}`);
  }
  return "deleted";
}

/** Gives a claimed media back after a failure that sent no DELETE, so the next run retries
 *  it at once. */
async function release(run: Run, ref: DocumentReference): Promise<void> {
  await run.deps.db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (snap.exists && snap.get("deletingBy") === run.claimId) tx.update(ref, unclaim);
  });
}
