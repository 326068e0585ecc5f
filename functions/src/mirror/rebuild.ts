import { randomUUID } from "node:crypto";
import { FieldPath, type DocumentSnapshot, type Firestore, type Query, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import { mapLimit } from "../shared/map-limit";
import { flushInvalidations } from "../cache/outbox";
import { generationHistory, generations, historyItems, mirrorPath, ownerPath, sourcePath } from "./paths";
import { planMirror, type MirrorPlan } from "./plan";
import { sameContent } from "./projection";
import { writeMirrorPlan, type MirrorWrite } from "./write";

// Rebuild: re-projects every source item (or one user's) into the public mirror and removes
// mirror documents that must not exist. Every change is one transaction that reads the
// source and the mirror, so a rebuild running beside the live pipeline writes what the
// pipeline would: the current truth. Safe to interrupt at any point and to run twice.

export type Invalidate = (tags: string[]) => Promise<void>;

export interface SyncResult extends MirrorWrite {
  /** The outbox entry holding `tags`, when there is one. */
  outboxId?: string;
}

/** Brings the mirror of `generationHistory/{uid}/items/{historyId}` to the projection of its
 *  source in ONE transaction (mirror write or delete plus its outbox entry), then bumps the
 *  cache tags unless `flush: false` (the caller then flushes `{ id: outboxId, tags }`).
 *  A mirror that belongs to another uid is never touched: the outcome is "conflict". */
export async function syncItem(
  db: Firestore,
  invalidate: Invalidate,
  uid: string,
  historyId: string,
  now: number,
  options: { flush?: boolean } = {},
): Promise<SyncResult> {
  const outboxId = `rebuild-${historyId}-${randomUUID().slice(0, 8)}`;
  const result = await db.runTransaction(async (tx) => {
    const [source, mirror, owner] = await tx.getAll(
      db.doc(sourcePath(uid, historyId)),
      db.doc(mirrorPath(historyId)),
      db.doc(ownerPath(historyId)),
    );
    return writeMirrorPlan(
      db,
      tx,
      { uid, historyId },
      planMirror({ uid, historyId }, { source: source!, mirror: mirror!, owner: owner! }),
      {
        id: outboxId,
        now,
      },
    );
  });
  if (result.tags.length > 0 && options.flush !== false) await flushInvalidations(db, invalidate, [{ id: outboxId, tags: result.tags }]);
  return result.tags.length > 0 ? { ...result, outboxId } : result;
}

// ---------------------------------------------------------------------------------------
// The whole rebuild

export type RebuildPhase = "sources" | "mirror";

/** Where a run stopped: the last document of the last finished page of `phase`. */
export interface Cursor {
  phase: RebuildPhase;
  lastPath?: string;
}

export interface RebuildCounts {
  scanned: number;
  written: number;
  removed: number;
  unchanged: number;
  invalid: number;
  errors: number;
  /** Scores without a fingerprint adopted for the content read (plan.ts), among the above. */
  adopted: number;
}

export interface RebuildFailure {
  path: string;
  error: string;
}

export interface RebuildProgress {
  phase: RebuildPhase;
  /** Documents handled in this phase by this run (a resumed run starts at 0). */
  processed: number;
  /** Totals of this run so far, per phase. */
  phases: Record<RebuildPhase, RebuildCounts>;
}

export interface RebuildOptions {
  /** Only this user's items and mirror documents. */
  uid?: string;
  pageSize?: number;
  /** Items synced at once within a page. */
  concurrency?: number;
  /** Continue after this cursor (from onCheckpoint or a previous result). */
  resumeFrom?: Cursor;
  onProgress?(progress: RebuildProgress): void;
  /** Called after every finished page, and when phase 2 starts; persist it to resume. */
  onCheckpoint?(cursor: Cursor, phases: Record<RebuildPhase, RebuildCounts>): Promise<void> | void;
  /** Checked between pages: once aborted, the run stops after the current page. */
  signal?: AbortSignal;
  /** Count what a run would do, from the pages' reads, and write nothing (no checkpoint). */
  dryRun?: boolean;
}

export interface RebuildDeps {
  db: Firestore;
  invalidate: Invalidate;
  now: () => number;
}

export interface RebuildResult extends RebuildCounts {
  phases: Record<RebuildPhase, RebuildCounts>;
  /** Per-item errors (the first 100), each also logged. */
  failures: RebuildFailure[];
  /** True when stopped by the signal; `cursor` then says where to resume. */
  aborted: boolean;
  cursor?: Cursor;
}

export const defaultPageSize = 200;
export const defaultConcurrency = 16;
const maxFailuresKept = 100;
const flushChunk = 250;

/** Lowest possible document id: numeric ids are exposed as `__id<n>__` and sort before all
 *  string ids (the bound Firestore's own recursiveDelete uses for "every doc in a collection"). */
const minDocumentId = "__id-9223372036854775808__";

/** Every source item, or one user's, in document-path order. For all users this is a
 *  collection-group query on `items` bounded to paths under `generationHistory/` (other
 *  collections named `items` are outside the range; deeper ones are skipped by isSourcePath). */
export function sourceQuery(db: Firestore, uid?: string): Query {
  if (uid !== undefined) return db.collection(`${generationHistory}/${uid}/${historyItems}`).orderBy(FieldPath.documentId());
  return db
    .collectionGroup(historyItems)
    .where(FieldPath.documentId(), ">=", `${generationHistory}/${minDocumentId}`)
    .where(FieldPath.documentId(), "<", `${generationHistory}\u0000/${minDocumentId}`)
    .orderBy(FieldPath.documentId());
}

/** Every mirror document, or those of one user, in document-id order. */
export function mirrorQuery(db: Firestore, uid?: string): Query {
  const all = db.collection(generations);
  return (uid === undefined ? all : all.where("uid", "==", uid)).orderBy(FieldPath.documentId());
}

/** `generationHistory/{uid}/items/{historyId}` exactly, as the trigger matches it. */
function isSourcePath(path: string): boolean {
  const parts = path.split("/");
  return parts.length === 4 && parts[0] === generationHistory && parts[2] === historyItems;
}

export const zeroCounts = (): RebuildCounts => ({ scanned: 0, written: 0, removed: 0, unchanged: 0, invalid: 0, errors: 0, adopted: 0 });

function total(phases: Record<RebuildPhase, RebuildCounts>): RebuildCounts {
  const sum = zeroCounts();
  for (const counts of Object.values(phases)) for (const key of Object.keys(sum) as Array<keyof RebuildCounts>) sum[key] += counts[key];
  return sum;
}

/** One unit of work of a page: the item to sync and what the page read told about it. */
interface PageItem {
  path: string;
  uid?: string;
  historyId: string;
  source?: DocumentSnapshot;
  mirror?: DocumentSnapshot;
  owner?: DocumentSnapshot;
}

/** Re-projects all history (or one user's) into `generations`, then removes mirror documents
 *  whose source is private, deleted, malformed or gone. Phase 1 pages through the sources,
 *  phase 2 through the mirror. Each page is read in bulk; items that already match are
 *  counted without a transaction, the rest go through syncItem. Per-item errors are counted
 *  and reported, never fatal. The cursor is checkpointed after every page. */
export async function rebuildMirror(deps: RebuildDeps, options: RebuildOptions = {}): Promise<RebuildResult> {
  const { db } = deps;
  const pageSize = options.pageSize ?? defaultPageSize;
  const concurrency = options.concurrency ?? defaultConcurrency;
  if (!(pageSize >= 1) || !(concurrency >= 1)) throw new Error("pageSize and concurrency must be at least 1");
  const phases: Record<RebuildPhase, RebuildCounts> = { sources: zeroCounts(), mirror: zeroCounts() };
  const failures: RebuildFailure[] = [];
  const result = (aborted: boolean, cursor?: Cursor): RebuildResult => ({
    ...total(phases),
    phases,
    failures,
    aborted,
    ...(cursor ? { cursor } : {}),
  });

  const order: RebuildPhase[] = ["sources", "mirror"];
  const startPhase = options.resumeFrom?.phase ?? "sources";
  for (const phase of order.slice(order.indexOf(startPhase))) {
    const counts = phases[phase];
    let lastPath = phase === startPhase ? options.resumeFrom?.lastPath : undefined;
    const checkpoint = options.dryRun ? undefined : options.onCheckpoint;
    if (phase === "mirror" && startPhase !== "mirror") await checkpoint?.({ phase }, phases);
    let processed = 0;
    for (;;) {
      if (options.signal?.aborted) return result(true, { phase, ...(lastPath === undefined ? {} : { lastPath }) });
      let query = (phase === "sources" ? sourceQuery(db, options.uid) : mirrorQuery(db, options.uid)).limit(pageSize);
      if (lastPath !== undefined) query = query.startAfter(db.doc(lastPath));
      const page = await query.get();
      if (page.empty) break;
      const items = phase === "sources" ? await sourcePage(db, page.docs) : await mirrorPage(db, page.docs);
      const changed: Array<{ id: string; tags: string[] }> = [];
      await mapLimit(items, concurrency, async (item) => {
        const { outcome, adopted } = await handleItem(deps, item, changed, failures, options.dryRun === true && phase);
        counts.scanned++;
        counts[outcome]++;
        if (adopted) counts.adopted++;
        processed++;
        options.onProgress?.({ phase, processed, phases });
      });
      // One bump per page (in chunks that keep the outbox batch small); entries that fail to
      // flush stay in the outbox for the sweeper.
      for (let i = 0; i < changed.length; i += flushChunk) await flushInvalidations(db, deps.invalidate, changed.slice(i, i + flushChunk));
      lastPath = page.docs[page.docs.length - 1]!.ref.path;
      await checkpoint?.({ phase, lastPath }, phases);
      if (page.size < pageSize) break;
    }
  }
  const done = result(false);
  logger.info("mirror rebuild finished", { uid: options.uid ?? "(all)", dryRun: options.dryRun === true, ...total(phases), phases });
  return done;
}

/** Phase 1: the page's sources, with their mirrors read in one batch. */
async function sourcePage(db: Firestore, docs: QueryDocumentSnapshot[]): Promise<PageItem[]> {
  const sources = docs.filter((d) => isSourcePath(d.ref.path));
  if (sources.length === 0) return [];
  const read = await db.getAll(...sources.flatMap((d) => [db.doc(mirrorPath(d.id)), db.doc(ownerPath(d.id))]));
  return sources.map((source, i) => ({
    path: source.ref.path,
    uid: source.ref.parent.parent!.id,
    historyId: source.id,
    source,
    mirror: read[2 * i]!,
    owner: read[2 * i + 1]!,
  }));
}

/** Phase 2: the page's mirror documents, with their sources read in one batch. */
async function mirrorPage(db: Firestore, docs: QueryDocumentSnapshot[]): Promise<PageItem[]> {
  const items: PageItem[] = docs.map((mirror) => {
    const uid: unknown = mirror.get("uid");
    return {
      path: mirror.ref.path,
      historyId: mirror.id,
      mirror,
      ...(typeof uid === "string" && uid.length > 0 && !uid.includes("/") ? { uid } : {}),
    };
  });
  const owned = items.filter((item) => item.uid !== undefined);
  if (owned.length > 0) {
    const read = await db.getAll(
      ...owned.flatMap((item) => [db.doc(sourcePath(item.uid!, item.historyId)), db.doc(ownerPath(item.historyId))]),
    );
    owned.forEach((item, i) => {
      item.source = read[2 * i]!;
      item.owner = read[2 * i + 1]!;
    });
  }
  return items;
}

type ItemOutcome = { outcome: Exclude<keyof RebuildCounts, "scanned" | "adopted">; adopted?: boolean };

/** Counts an item that already matches without a transaction; syncs the rest (in a dry run,
 *  counts what the sync would do, from the page's reads). */
async function handleItem(
  deps: RebuildDeps,
  item: PageItem,
  changed: Array<{ id: string; tags: string[] }>,
  failures: RebuildFailure[],
  /** The phase of a dry run (false: a real run). */
  dryRun: RebuildPhase | false,
): Promise<ItemOutcome> {
  const fail = (error: string): ItemOutcome => {
    logger.warn("mirror rebuild: item failed", { path: item.path, error });
    if (failures.length < maxFailuresKept) failures.push({ path: item.path, error });
    return { outcome: "errors" };
  };
  if (item.uid === undefined) return fail(`${mirrorPath(item.historyId)} has no valid uid; left alone`);
  try {
    if (item.source && item.mirror && item.owner) {
      const plan = planMirror(
        { uid: item.uid, historyId: item.historyId },
        { source: item.source, mirror: item.mirror, owner: item.owner },
      );
      if (plan.matches && !plan.conflict && !plan.claim && !plan.adoptScore)
        return { outcome: plan.invalid === undefined ? "unchanged" : "invalid" };
      // A mirror document whose source exists was synced in phase 1 (as a real run finds it).
      if (dryRun === "mirror" && item.source.exists) return { outcome: "unchanged" };
      if (dryRun && plan.conflict)
        return fail(`historyId ${item.historyId} belongs to another user (uid ${plan.owner}); would not be touched`);
      if (dryRun) return wouldDo(plan);
    }
    if (dryRun) return fail(`${item.path} could not be read`);
    const synced = await syncItem(deps.db, deps.invalidate, item.uid, item.historyId, deps.now(), { flush: false });
    if (synced.outboxId && synced.tags.length > 0) changed.push({ id: synced.outboxId, tags: synced.tags });
    if (synced.outcome === "conflict")
      return fail(`${synced.detail ?? "mirror belongs to another user"}; not touched for ${sourcePath(item.uid, item.historyId)}`);
    // fenced cannot happen: the source was read in the same transaction
    return { outcome: synced.outcome === "fenced" ? "unchanged" : synced.outcome, ...(synced.adopted ? { adopted: true } : {}) };
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/** What syncing a planned item would do, for a dry run. */
function wouldDo(plan: MirrorPlan): ItemOutcome {
  const adopted = plan.adoptScore ? { adopted: true } : {};
  if (plan.invalid !== undefined) return { outcome: "invalid", ...adopted };
  if (plan.matches || sameContent(plan.desired, plan.current)) return { outcome: "unchanged", ...adopted }; // as write.ts counts it
  return { outcome: plan.desired ? "written" : "removed", ...adopted };
}
