import { FieldPath, type Firestore, type Query, type QueryDocumentSnapshot, type Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { families } from "../cache/map";
import { generations } from "../mirror/paths";
import { publicItem, type PublicItem } from "../mirror/public";
import { promptWords } from "../mirror/words";
import { decodeCursor, encodeCursor, fromCursorTime, timeAndId, toCursorTime, type TimeAndId } from "../shared/cursor";
import { joinCreators } from "./cards";
import * as logs from "./logs";
import { following, userPath, type PublicProfile } from "./model";
import { ensureUser, publicProfileOf, type PeopleDeps } from "./users";

export interface ItemPage {
  items: PublicItem[];
  nextCursor: string | null;
}

/** A page cursor of these reads: the last item's (createdAt, id). A tampered one is refused. */
export function pagePosition(cursor: string | undefined): TimeAndId | null {
  if (cursor === undefined) return null;
  const after = decodeCursor(cursor, timeAndId);
  if (!after) throw new HttpsError("invalid-argument", "cursor: not a cursor of this list");
  return after;
}

/** The canonical form of a cursor, for cache keys: equal positions share one entry. */
export const cursorKey = (after: TimeAndId | null) => (after ? encodeCursor(after) : null);

const positionOf = (doc: QueryDocumentSnapshot): TimeAndId => ({ t: toCursorTime(doc.get("createdAt") as Timestamp), id: doc.id });

/** Newest first, the id breaking ties, after `after`. */
function newestFirst(query: Query, after: TimeAndId | null, limit: number): Query {
  const ordered = query.orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc").limit(limit);
  return after ? ordered.startAfter(fromCursorTime(after.t), after.id) : ordered;
}

async function pageOf(query: Query, after: TimeAndId | null, limit: number): Promise<ItemPage> {
  const snap = await newestFirst(query, after, limit + 1).get();
  const docs = snap.docs.slice(0, limit);
  const last = docs[docs.length - 1];
  return {
    items: docs.map((d) => publicItem(d.id, d.data())),
    nextCursor: snap.docs.length > limit && last ? encodeCursor(positionOf(last)) : null,
  };
}

// ---- me -------------------------------------------------------------------------------

export interface Me {
  profile: PublicProfile & { createdAt: string | null };
  credits: number;
  unreadNotifications: number;
}

export async function loadMe(db: Firestore, uid: string): Promise<Me> {
  const snap = await db.doc(userPath(uid)).get();
  if (!snap.exists) throw new HttpsError("not-found", "No such user.");
  const createdAt = snap.get("createdAt") as Timestamp | undefined;
  return {
    profile: { ...publicProfileOf(snap), createdAt: createdAt ? createdAt.toDate().toISOString() : null },
    credits: (snap.get("credits") as number) ?? 0,
    unreadNotifications: (snap.get("unreadNotifications") as number) ?? 0,
  };
}

/** `me`: the caller's own entry (keyed by their uid, never shared). A hit skips ensureUser:
 *  an entry exists only if a load found (or made) the user document. */
export async function me(deps: PeopleDeps, uid: string): Promise<Me> {
  return deps.cache.getOrLoad(families.me, { uid }, async () => {
    await ensureUser(deps, uid);
    return loadMe(deps.db, uid);
  });
}

// ---- userProfile ------------------------------------------------------------------------

/**
 * A user's profile and a page of their public items. A user who has claimed no handle (no user
 * document yet, or one made by someone's like or follow) is shown as her items show her: the
 * name and picture of her newest public item's `createdBy` (as `displayName`, never as the
 * handle), else, if she has a user document, her Auth account's. Nothing is written on this
 * public read, and Auth is asked only about users with a document (no lookup, and no answer
 * about an account, for an arbitrary uid). A uid with no document and no public item is
 * not-found (thrown, never cached).
 */
export async function loadUserProfile(deps: Pick<PeopleDeps, "db" | "authProfile">, uid: string, limit: number, after: TimeAndId | null) {
  const { db } = deps;
  const [snap, page] = await Promise.all([
    db.doc(userPath(uid)).get(),
    pageOf(db.collection(generations).where("uid", "==", uid), after, limit),
  ]);
  const profile: PublicProfile = snap.exists
    ? publicProfileOf(snap)
    : { uid, username: null, displayName: null, avatarUrl: null, bio: null, followersCount: 0, followingCount: 0 };
  if (profile.displayName !== null && profile.avatarUrl !== null) return { profile, ...page };
  const newest = after === null ? page.items[0] : (await pageOf(db.collection(generations).where("uid", "==", uid), null, 1)).items[0];
  if (!snap.exists && !newest) throw new HttpsError("not-found", "No such user.");
  const shown = (newest?.createdBy ?? {}) as { username?: string; photoURL?: string };
  const account = newest ? null : ((await deps.authProfile?.(uid)) ?? null);
  return {
    profile: {
      ...profile,
      displayName: profile.displayName ?? shown.username ?? account?.displayName ?? null,
      avatarUrl: profile.avatarUrl ?? shown.photoURL ?? account?.photoURL ?? null,
    },
    ...page,
  };
}

export async function userProfile(deps: PeopleDeps, uid: string, limit: number, cursor: string | undefined) {
  const after = pagePosition(cursor);
  return deps.cache.getOrLoad(families.userProfile, { uid, limit, cursor: cursorKey(after) }, async (dependOn) =>
    joinCreators(deps, dependOn, await loadUserProfile(deps, uid, limit, after)),
  );
}

// ---- explore ----------------------------------------------------------------------------

/** Explore scans at most this many candidates per page: a rare combination of words answers
 *  a short page with a cursor instead of reading the whole index. */
export const exploreScanCap = 500;
const exploreBatch = 100;

/** The query's words, canonical (sorted, unique): equal searches share one cache entry. */
export const exploreWords = (q: string) => [...new Set(promptWords(q))].sort().slice(0, 8);

/**
 * Public items whose prompt holds every word, newest first. Firestore takes one
 * array-contains per query, so the longest word (likely the rarest) is the indexed one and
 * the others are checked on the candidates; the cursor is the last candidate scanned, so
 * pages never overlap or skip.
 */
export async function loadExplore(db: Firestore, words: string[], limit: number, after: TimeAndId | null): Promise<ItemPage> {
  if (words.length === 0) return pageOf(db.collection(generations), after, limit);
  const anchor = [...words].sort((a, b) => b.length - a.length || (a < b ? -1 : 1))[0]!;
  const base = db.collection(generations).where("promptWords", "array-contains", anchor);
  const items: PublicItem[] = [];
  let position = after;
  let scanned = 0;
  while (scanned < exploreScanCap) {
    const snap = await newestFirst(base, position, exploreBatch).get();
    for (const doc of snap.docs) {
      scanned++;
      position = positionOf(doc);
      const have = new Set((doc.get("promptWords") as string[]) ?? []);
      if (words.every((w) => have.has(w))) items.push(publicItem(doc.id, doc.data()));
      if (items.length === limit) break;
    }
    if (items.length === limit) break;
    if (snap.docs.length < exploreBatch) return { items, nextCursor: null };
  }
  if (scanned >= exploreScanCap) logs.exploreScanCapped(words.join(" "), scanned);
  // Full page or cap: there may be more after the last candidate (a last empty page is possible).
  return { items, nextCursor: position ? encodeCursor(position) : null };
}

export async function explore(deps: PeopleDeps, q: string, limit: number, cursor: string | undefined) {
  const after = pagePosition(cursor);
  const words = exploreWords(q);
  return deps.cache.getOrLoad(families.explore, { q: words.join(" "), limit, cursor: cursorKey(after) }, async (dependOn) =>
    joinCreators(deps, dependOn, await loadExplore(deps.db, words, limit, after)),
  );
}

// ---- followingFeed -----------------------------------------------------------------------

/** Firestore's `in` takes at most 30 values. */
const inLimit = 30;

/**
 * Public items of the creators `uid` follows, newest first: fan-out on read. Publishing costs
 * nothing per follower; a page reads the follow list and one query per 30 creators, and keeps
 * the newest `limit` of their answers.
 */
export async function loadFollowingFeed(db: Firestore, uid: string, limit: number, after: TimeAndId | null): Promise<ItemPage> {
  const edges = await db
    .collection(`${userPath(uid)}/${following}`)
    .select()
    .get();
  const creators = edges.docs.map((d) => d.id);
  const groups = Array.from({ length: Math.ceil(creators.length / inLimit) }, (_, i) => creators.slice(i * inLimit, (i + 1) * inLimit));
  const answers = await Promise.all(
    groups.map((group) => newestFirst(db.collection(generations).where("uid", "in", group), after, limit + 1).get()),
  );
  const docs = answers
    .flatMap((a) => a.docs)
    .sort((a, b) => {
      const ta = a.get("createdAt") as Timestamp;
      const tb = b.get("createdAt") as Timestamp;
      return tb.seconds - ta.seconds || tb.nanoseconds - ta.nanoseconds || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    });
  const page = docs.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((d) => publicItem(d.id, d.data())),
    nextCursor: docs.length > limit && last ? encodeCursor(positionOf(last)) : null,
  };
}

export async function followingFeed(deps: PeopleDeps, uid: string, limit: number, cursor: string | undefined) {
  const after = pagePosition(cursor);
  // ensureUser on a miss only, as in `me`: the caller's document exists after their first call.
  return deps.cache.getOrLoad(families.followingFeed, { uid, limit, cursor: cursorKey(after) }, async (dependOn) => {
    await ensureUser(deps, uid);
    return joinCreators(deps, dependOn, await loadFollowingFeed(deps.db, uid, limit, after));
  });
}
