import { FieldPath, type Firestore, type Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import type { DependOn } from "../cache/cache";
import { families, tags } from "../cache/map";
import { mirrorPath } from "../mirror/paths";
import { loadGeneration, publicItem, type PublicItem } from "../mirror/public";
import { cardsOf, joinCreators, withCreator } from "../people/cards";
import { cursorKey, pagePosition } from "../people/reads";
import type { PeopleDeps } from "../people/users";
import { encodeCursor, fromCursorTime, toCursorTime, type TimeAndId } from "../shared/cursor";
import { existingCollections } from "./collections";
import { loadComments } from "./comments";
import { loadCounts } from "./counts";
import {
  collectionItemsPath,
  collectionPath,
  collectionsPath,
  commentLikesPath,
  commentPath,
  imageLimits,
  likePath,
  likesPath,
  savedPath,
} from "./model";
import { filterKey, loadMySets, loadSet, type SetFilter } from "./sets";

// ---- imageDetails -----------------------------------------------------------------------

/** The item, its counts and a page of comments with their authors' current names. The same
 *  for every viewer (their own state is myImageState). Not public: `not-found`, not cached. */
export async function loadImageDetails(deps: PeopleDeps, dependOn: DependOn, historyId: string, cursor: string | null) {
  const [item, counts, page] = await Promise.all([
    loadGeneration(deps.db, historyId),
    loadCounts(deps.db, historyId),
    loadComments(deps.db, historyId, cursor),
  ]);
  if (!item) throw new HttpsError("not-found", "No such public image.");
  const uids = [item.uid, ...page.comments.map((c) => c.uid)];
  await dependOn(uids.map(tags.card));
  const cards = await cardsOf(deps, uids);
  return {
    item: { ...withCreator(item, cards.get(item.uid)), ...counts },
    comments: page.comments.map(({ commentId, uid, text, likeCount, createdAt }) => ({
      commentId,
      uid,
      username: cards.get(uid)?.username ?? null,
      text,
      likeCount,
      createdAt,
    })),
    nextCursor: page.nextCursor,
  };
}

export function imageDetails(deps: PeopleDeps, historyId: string, cursor: string | undefined) {
  const key = cursorKey(pagePosition(cursor));
  return deps.cache.getOrLoad(families.imageDetails, { historyId, cursor: key }, (dependOn) =>
    loadImageDetails(deps, dependOn, historyId, key),
  );
}

// ---- myImageState -----------------------------------------------------------------------

export interface ImageState {
  liked: boolean;
  likedCommentIds: string[];
  collectionIds: string[];
}

/** The viewer's own state of one item: three reads of their own documents, then the comments
 *  and collections they name that still exist (deleting either never visits its likers). */
export async function loadImageState(db: Firestore, uid: string, historyId: string): Promise<ImageState> {
  const [like, commentLikes, saved] = await Promise.all([
    db.doc(likePath(uid, historyId)).get(),
    db.collection(commentLikesPath(uid)).where("historyId", "==", historyId).limit(imageLimits.likedCommentsRead).select().get(),
    db.doc(savedPath(uid, historyId)).get(),
  ]);
  const commentIds = commentLikes.docs.map((d) => d.id);
  const comments = commentIds.length
    ? await db.getAll(...commentIds.map((id) => db.doc(commentPath(historyId, id))), { fieldMask: [] })
    : [];
  return {
    liked: like.exists,
    likedCommentIds: comments
      .filter((c) => c.exists)
      .map((c) => c.id)
      .sort(),
    collectionIds: (await existingCollections(db, uid, (saved.get("collectionIds") as string[] | undefined) ?? [])).sort(),
  };
}

export const myImageState = (deps: PeopleDeps, uid: string, historyId: string) =>
  deps.cache.getOrLoad(families.viewerState, { uid, historyId }, () => loadImageState(deps.db, uid, historyId));

// ---- likedImages, collectionItems -------------------------------------------------------

const edgeBatch = 100;
/** A page scans at most this many edges: a list of mostly unpublished items answers a short
 *  page with a cursor instead of reading all of it. */
export const edgeScanCap = 500;

/**
 * A page of public items named by edges (`{ at }` documents whose id is a historyId), newest
 * edge first. The page depends on each scanned item's `generation` tag, named before its
 * mirror is read: an item that is unpublished, deleted or changed afterwards makes the page
 * stale, so no edge is ever visited when an item changes. Items that are not public are skipped.
 */
export async function loadEdgePage(db: Firestore, dependOn: DependOn, edges: string, limit: number, cursor: string | null) {
  let after = pagePosition(cursor ?? undefined);
  const items: PublicItem[] = [];
  let scanned = 0;
  while (scanned < edgeScanCap && items.length < limit) {
    let query = db.collection(edges).orderBy("at", "desc").orderBy(FieldPath.documentId(), "desc").limit(edgeBatch);
    if (after) query = query.startAfter(fromCursorTime(after.t), after.id);
    const snap = await query.get();
    if (snap.empty) return { items, nextCursor: null };
    const ids = snap.docs.map((d) => d.id);
    await dependOn(ids.map(tags.generation));
    const mirrors = await db.getAll(...ids.map((id) => db.doc(mirrorPath(id))));
    let position: TimeAndId | null = after;
    for (const [i, doc] of snap.docs.entries()) {
      scanned++;
      position = { t: toCursorTime(doc.get("at") as Timestamp), id: doc.id };
      if (mirrors[i]!.exists) items.push(publicItem(doc.id, mirrors[i]!.data()!));
      if (items.length === limit) break;
    }
    after = position;
    if (items.length < limit && snap.docs.length < edgeBatch) return { items, nextCursor: null };
  }
  return { items, nextCursor: after ? encodeCursor(after) : null };
}

export function likedImages(deps: PeopleDeps, uid: string, limit: number, cursor: string | undefined) {
  const key = cursorKey(pagePosition(cursor));
  return deps.cache.getOrLoad(families.likedImages, { uid, limit, cursor: key }, async (dependOn) =>
    joinCreators(deps, dependOn, await loadEdgePage(deps.db, dependOn, likesPath(uid), limit, key)),
  );
}

export async function loadCollectionItems(
  deps: PeopleDeps,
  dependOn: DependOn,
  uid: string,
  collectionId: string,
  limit: number,
  cursor: string | null,
) {
  if (!(await deps.db.doc(collectionPath(uid, collectionId)).get()).exists) throw new HttpsError("not-found", "No such collection.");
  return joinCreators(deps, dependOn, await loadEdgePage(deps.db, dependOn, collectionItemsPath(uid, collectionId), limit, cursor));
}

export function collectionItems(deps: PeopleDeps, uid: string, collectionId: string, limit: number, cursor: string | undefined) {
  const key = cursorKey(pagePosition(cursor));
  return deps.cache.getOrLoad(families.collectionItems, { uid, collectionId, limit, cursor: key }, (dependOn) =>
    loadCollectionItems(deps, dependOn, uid, collectionId, limit, key),
  );
}

// ---- myCollections ----------------------------------------------------------------------

/** A cover is the newest of a collection's last few saves that is still public. */
const coverCandidates = 5;

export async function loadMyCollections(db: Firestore, dependOn: DependOn, uid: string) {
  const snap = await db.collection(collectionsPath(uid)).orderBy("createdAt", "desc").limit(imageLimits.collectionsPerUser).get();
  const candidates = await Promise.all(
    snap.docs.map(async (c) =>
      (await c.ref.collection("items").orderBy("at", "desc").limit(coverCandidates).select().get()).docs.map((d) => d.id),
    ),
  );
  // One dependOn and one read for every candidate of every collection, in that order.
  const ids = [...new Set(candidates.flat())];
  await dependOn(ids.map(tags.cover));
  const mirrors = ids.length ? await db.getAll(...ids.map((id) => db.doc(mirrorPath(id))), { fieldMask: ["images"] }) : [];
  const imageOf = new Map(mirrors.filter((m) => m.exists).map((m) => [m.id, (m.get("images") as CoverImage[] | undefined)?.[0]]));
  return {
    collections: snap.docs.map((c, i) => {
      const image = candidates[i]!.map((id) => imageOf.get(id)).find((img) => img !== undefined);
      return {
        collectionId: c.id,
        name: c.get("name") as string,
        description: (c.get("description") as string | undefined) ?? "",
        itemCount: (c.get("itemCount") as number | undefined) ?? 0,
        coverUrl: image ? (image.thumbnailUrl ?? image.url) : null,
      };
    }),
  };
}

type CoverImage = { url: string; thumbnailUrl?: string };

export const myCollections = (deps: PeopleDeps, uid: string) =>
  deps.cache.getOrLoad(families.myCollections, { uid }, (dependOn) => loadMyCollections(deps.db, dependOn, uid));

// ---- mySets, getSet ---------------------------------------------------------------------

export function mySets(deps: PeopleDeps, uid: string, filter: SetFilter, limit: number, cursor: string | undefined) {
  const key = cursorKey(pagePosition(cursor));
  return deps.cache.getOrLoad(families.mySets, { uid, filter: filterKey(filter), limit, cursor: key }, () =>
    loadMySets(deps.db, uid, filter, limit, key),
  );
}

export const getSet = (deps: PeopleDeps, uid: string, historyId: string) =>
  deps.cache.getOrLoad(families.set, { uid, historyId }, () => loadSet(deps.db, uid, historyId));
