import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import { generations } from "../mirror/paths";
import { encodeCursor, fromCursorTime, toCursorTime } from "../shared/cursor";
import type { FeedCursor } from "./cursor";
import { publicItem, type PublicItem } from "../mirror/public";

export interface FeedPage {
  items: PublicItem[];
  nextCursor: string | null;
}

/** One page of the ArtStation feed from the public mirror. `recent`: newest first;
 *  `score`: highest aestheticScore first (unscored items are not in this order), ties by
 *  newest. The document id breaks the remaining ties, so pages never overlap or skip. */
export async function loadFeedPage(db: Firestore, sort: "recent" | "score", limit: number, after: FeedCursor | null): Promise<FeedPage> {
  let query = db.collection(generations).limit(limit + 1);
  query = sort === "score" ? query.orderBy("aestheticScore", "desc").orderBy("createdAt", "desc") : query.orderBy("createdAt", "desc");
  query = query.orderBy(FieldPath.documentId(), "desc");
  if (after) {
    const createdAt = fromCursorTime(after.t);
    query = sort === "score" ? query.startAfter(after.a ?? 0, createdAt, after.id) : query.startAfter(createdAt, after.id);
  }
  const snap = await query.get();
  const docs = snap.docs.slice(0, limit);
  const last = docs[docs.length - 1];
  const more = snap.docs.length > limit && last !== undefined;
  return {
    items: docs.map((d) => publicItem(d.id, d.data())),
    nextCursor: more
      ? encodeCursor({
          s: sort,
          t: toCursorTime(last.get("createdAt") as Timestamp),
          ...(sort === "score" ? { a: Number(last.get("aestheticScore")) } : {}),
          id: last.id,
        })
      : null,
  };
}
