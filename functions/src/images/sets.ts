import { createHash } from "node:crypto";
import { FieldPath, Timestamp, type DocumentData, type Firestore, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { flushUntilConfirmed, recordInTransaction } from "../cache/outbox";
import { enqueueInTransaction } from "../mirror/enqueue";
import { generationHistory, historyItems, mirrorPath, ownerPath, sourcePath } from "../mirror/paths";
import { planFor, versionOf } from "../mirror/plan";
import { sourceItemSchema } from "../mirror/source";
import { writeMirrorPlan } from "../mirror/write";
import { newOutboxId, type PeopleDeps } from "../people/users";
import { decodeCursor, encodeCursor, fromCursorTime, timeAndId, toCursorTime, type TimeAndId } from "../shared/cursor";
import * as logs from "./logs";

const noSuchSet = () => new HttpsError("not-found", "No such set.");

/** A set as its owner sees it (private ones too), JSON-safe. */
export interface SetView {
  historyId: string;
  prompt: string;
  model: string;
  images: unknown[];
  videos: unknown[];
  isPublic: boolean;
  aestheticScore: number | null;
  createdAt: string;
  updatedAt: string;
}

/** The set a source document shows, or null when it is deleted or malformed (the apps do not
 *  show those either). */
export function setView(id: string, data: DocumentData | undefined): SetView | null {
  const parsed = sourceItemSchema.safeParse(data);
  if (!parsed.success || parsed.data.isDeleted) return null;
  const item = parsed.data;
  return {
    historyId: id,
    prompt: item.prompt,
    model: item.model,
    images: item.images,
    videos: item.videos,
    isPublic: item.isPublic,
    aestheticScore: item.aestheticScore ?? null,
    createdAt: item.createdAt.toDate().toISOString(),
    updatedAt: item.updatedAt.toDate().toISOString(),
  };
}

/** `getSet`'s read: one of the caller's live sets. */
export async function loadSet(db: Firestore, uid: string, historyId: string): Promise<{ item: SetView }> {
  const item = setView(historyId, (await db.doc(sourcePath(uid, historyId)).get()).data());
  if (!item) throw noSuchSet();
  return { item };
}

export interface SetFilter {
  prompt?: string | undefined;
  model?: string | undefined;
}

/** A filter's part of a cache key: a digest, since a prompt may be 3,000 bytes. */
export const filterKey = (filter: SetFilter) =>
  createHash("sha256")
    .update(JSON.stringify([filter.prompt ?? null, filter.model ?? null]))
    .digest("base64url");

/** A page scans at most this many sets (deleted ones are skipped, not counted). */
export const setsScanCap = 500;
const setsBatch = 100;

/**
 * `mySets`' read: the caller's live sets, newest first, with the exact prompt and/or model.
 * Equality filters with the newest-first order (composite indexes in firestore.indexes.json);
 * deleted and malformed sets are skipped on the page (deletion is rare, so a page rarely scans
 * far), and the cursor is the last set scanned, so pages never overlap or skip. The prompt is
 * compared again in code: Firestore indexes only a value's first 1,500 bytes.
 */
export async function loadMySets(db: Firestore, uid: string, filter: SetFilter, limit: number, cursor: string | null) {
  let after: TimeAndId | null = cursor === null ? null : decodeCursor(cursor, timeAndId);
  if (cursor !== null && !after) throw new HttpsError("invalid-argument", "cursor: not a cursor of this list");
  let base: FirebaseFirestore.Query = db.collection(`${generationHistory}/${uid}/${historyItems}`);
  if (filter.prompt !== undefined) base = base.where("prompt", "==", filter.prompt);
  if (filter.model !== undefined) base = base.where("model", "==", filter.model);
  base = base.orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc");
  const items: SetView[] = [];
  let scanned = 0;
  let last: QueryDocumentSnapshot | undefined;
  while (scanned < setsScanCap) {
    const snap = await (after ? base.startAfter(fromCursorTime(after.t), after.id) : base).limit(setsBatch).get();
    for (const doc of snap.docs) {
      scanned++;
      last = doc;
      const item = setView(doc.id, doc.data());
      const matches =
        item &&
        (filter.prompt === undefined || item.prompt === filter.prompt) &&
        (filter.model === undefined || item.model === filter.model);
      if (matches) items.push(item);
      if (items.length === limit) break;
    }
    if (last) after = { t: toCursorTime(last.get("createdAt") as Timestamp), id: last.id };
    if (items.length === limit) break;
    if (snap.docs.length < setsBatch) return { items, nextCursor: null };
  }
  return { items, nextCursor: after && last ? encodeCursor(after) : null };
}

/**
 * `deleteSet`: the owner's soft delete, as the apps make it (`isDeleted: true`). One
 * transaction updates the source, removes the public mirror with its outbox entry (so the
 * feed, explore, the profile and every liked list and collection drop it on their next read)
 * and enqueues a mirror task (which re-reads the source: it can only confirm). It answers
 * once Redis confirmed the invalidations, or "pending" as updateAestheticScore does.
 * Deleting a deleted set writes nothing more (but removes a mirror still left); someone
 * else's set is `not-found`. A retry after "pending" answers for its own writes only: the
 * first call's bumps wait in the outbox until they are replayed.
 */
export async function deleteSet(deps: PeopleDeps, uid: string, historyId: string) {
  const { db } = deps;
  const sourceRef = db.doc(sourcePath(uid, historyId));
  const mirrorOutbox = newOutboxId("set-mirror");
  const setsOutbox = newOutboxId("sets");
  const setsTags = writes.setsChanged.tags({ uid });
  const result = await db.runTransaction(async (tx) => {
    const [source, mirror, owner] = await tx.getAll(sourceRef, db.doc(mirrorPath(historyId)), db.doc(ownerPath(historyId)));
    if (!source!.exists) throw noSuchSet();
    // Already deleted (a retry, or the app's own write whose mirror task has not run yet): the
    // source stays as it is, but the mirror is still brought to it here, so the answer never
    // says "confirmed" while a public read could still show the set.
    const already = source!.get("isDeleted") === true;
    const update = { isDeleted: true, updatedAt: Timestamp.now() };
    if (!already) tx.update(sourceRef, update);
    const data = already ? source!.data() : { ...source!.data(), ...update };
    const plan = planFor({ uid, historyId }, data, versionOf(source!), { mirror: mirror!, owner: owner! });
    const written = writeMirrorPlan(db, tx, { uid, historyId }, plan, { id: mirrorOutbox, now: Date.now() });
    if (!already) {
      enqueueInTransaction(db, tx, { op: "update", uid, historyId, updates: { isDeleted: true } });
      recordInTransaction(db, tx, setsOutbox, setsTags, Date.now());
    }
    return { already, tags: written.tags, outcome: written.outcome };
  });
  if (!result.already) logs.setDeleted(uid, historyId, result.outcome);
  const entries = [
    ...(result.already ? [] : [{ id: setsOutbox, tags: setsTags }]),
    ...(result.tags.length ? [{ id: mirrorOutbox, tags: result.tags }] : []),
  ];
  const confirmed =
    entries.length === 0 || (await flushUntilConfirmed(db, (t) => deps.cache.bump(t), entries, deps.invalidationDeadlineMs ?? 10_000));
  return { deleted: true, invalidation: confirmed ? ("confirmed" as const) : ("pending" as const) };
}
