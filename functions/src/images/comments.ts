import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { mirrorPath, ownerPath } from "../mirror/paths";
import { raiseNotification } from "../people/notifications";
import { ensureUser, flushOutbox, loadCard, newOutboxId, type PeopleDeps } from "../people/users";
import { decodeCursor, encodeCursor, fromCursorTime, timeAndId, toCursorTime } from "../shared/cursor";
import { notPublic, publicOwner } from "./access";
import { countInTransaction } from "./counts";
import * as logs from "./logs";
import { commentPath, commentsPath, type CommentView } from "./model";

/** `addComment`: on a public item; the owner is notified after the commit (each comment is its
 *  own target; see raiseNotification). */
export async function addComment(deps: PeopleDeps, uid: string, historyId: string, text: string): Promise<{ comment: CommentView }> {
  const { db } = deps;
  // The comment shows its author's card: their user document exists before it does.
  const [, owner] = await Promise.all([ensureUser(deps, uid), publicOwner(deps, historyId)]);
  if (!owner) throw notPublic();
  const ref = db.collection(commentsPath(historyId)).doc();
  const outboxId = newOutboxId("comment");
  const tags = writes.commentAdded.tags({ historyId });
  const createdAt = await db.runTransaction(async (tx) => {
    const mirror = await tx.get(db.doc(mirrorPath(historyId)));
    if (!mirror.exists || mirror.get("uid") !== owner) throw notPublic();
    const now = Timestamp.now();
    tx.create(ref, { uid, text, likeCount: 0, createdAt: now });
    countInTransaction(db, tx, historyId, "commentCount", 1);
    recordInTransaction(db, tx, outboxId, tags, now.toMillis());
    return now;
  });
  logs.commented(uid, historyId, ref.id, "added", uid);
  await flushOutbox(deps, outboxId, tags);
  await raiseNotification(deps, { type: "comment", uid: owner, actorUid: uid, targetId: ref.id });
  const card = await loadCard(db, uid);
  return {
    comment: { commentId: ref.id, uid, username: card?.username ?? null, text, likeCount: 0, createdAt: createdAt.toDate().toISOString() },
  };
}

/** `deleteComment`: by its author, the item's owner (public or not: the id's registered owner)
 *  or an admin. Anyone else gets `not-found`, as for a comment that is not there. The likes
 *  of the comment stay with their likers and are dropped on read (see myImageState), so a
 *  delete costs the same however many liked it. */
export async function deleteComment(deps: PeopleDeps, caller: { uid: string; admin: boolean }, historyId: string, commentId: string) {
  const { db } = deps;
  const ref = db.doc(commentPath(historyId, commentId));
  const outboxId = newOutboxId("comment-delete");
  const tags = writes.commentDeleted.tags({ historyId });
  await db.runTransaction(async (tx) => {
    const [comment, owner] = await tx.getAll(ref, db.doc(ownerPath(historyId)));
    const allowed = comment!.exists && (caller.admin || comment!.get("uid") === caller.uid || owner!.get("uid") === caller.uid);
    if (!allowed) throw new HttpsError("not-found", "No such comment.");
    tx.delete(ref);
    countInTransaction(db, tx, historyId, "commentCount", -1);
    recordInTransaction(db, tx, outboxId, tags, Date.now());
  });
  logs.commented(caller.uid, historyId, commentId, "deleted", caller.uid);
  await flushOutbox(deps, outboxId, tags);
  return { deleted: true };
}

export const commentsPageSize = 20;

/** A page of an item's comments, newest first, without their authors' names (joined by the
 *  caller from their cards). A tampered cursor is `invalid-argument`. */
export async function loadComments(db: Firestore, historyId: string, cursor: string | null) {
  const after = cursor === null ? null : decodeCursor(cursor, timeAndId);
  if (cursor !== null && !after) throw new HttpsError("invalid-argument", "cursor: not a cursor of this list");
  let query = db
    .collection(commentsPath(historyId))
    .orderBy("createdAt", "desc")
    .orderBy(FieldPath.documentId(), "desc")
    .limit(commentsPageSize + 1);
  if (after) query = query.startAfter(fromCursorTime(after.t), after.id);
  const snap = await query.get();
  const docs = snap.docs.slice(0, commentsPageSize);
  const last = docs[docs.length - 1];
  return {
    comments: docs.map((d) => ({
      commentId: d.id,
      uid: d.get("uid") as string,
      text: d.get("text") as string,
      likeCount: (d.get("likeCount") as number | undefined) ?? 0,
      createdAt: (d.get("createdAt") as Timestamp).toDate().toISOString(),
    })),
    nextCursor:
      snap.docs.length > commentsPageSize && last
        ? encodeCursor({ t: toCursorTime(last.get("createdAt") as Timestamp), id: last.id })
        : null,
  };
}
