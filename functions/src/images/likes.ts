import { Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { raiseNotification } from "../people/notifications";
import { ensureUser, flushOutbox, newOutboxId, type PeopleDeps } from "../people/users";
import { runContendedTransaction } from "../shared/transaction";
import { notPublic, publicOwner } from "./access";
import { mirrorPath } from "../mirror/paths";
import { countInTransaction, loadCounts } from "./counts";
import * as logs from "./logs";
import { commentLikePath, commentPath, likePath } from "./model";

/**
 * `likeImage` / `unlikeImage`: one transaction reads the caller's edge and the item's mirror
 * and, when the edge changes, writes it, moves the item's count on one shard (blind) and
 * records the cache outbox. Idempotent: liking twice changes nothing, so the count is exact
 * under any retries or concurrency. The owner's notification is raised after the commit (see
 * raiseNotification), on every like call: a retry heals a crash in between. A like needs a
 * public item; a like can always be withdrawn.
 */
export async function setLike(deps: PeopleDeps, uid: string, historyId: string, like: boolean) {
  const { db } = deps;
  const [, owner] = await Promise.all([ensureUser(deps, uid), like ? publicOwner(deps, historyId) : null]);
  const edgeRef = db.doc(likePath(uid, historyId));
  const outboxId = newOutboxId("like");
  const tags = writes.imageLiked.tags({ uid, historyId });
  const changed = await runContendedTransaction(
    db,
    async (tx) => {
      const [edge, mirror] = await tx.getAll(edgeRef, db.doc(mirrorPath(historyId)));
      if (like && (!mirror!.exists || mirror!.get("uid") !== owner)) throw notPublic();
      if (!like && !edge!.exists && !mirror!.exists) throw notPublic();
      if (edge!.exists === like) return false;
      const now = Timestamp.now();
      if (like) tx.create(edgeRef, { at: now });
      else tx.delete(edgeRef);
      countInTransaction(db, tx, historyId, "likeCount", like ? 1 : -1);
      recordInTransaction(db, tx, outboxId, tags, now.toMillis());
      return true;
    },
    10,
  );
  if (changed) {
    logs.liked("image", uid, historyId, like);
    await flushOutbox(deps, outboxId, tags);
  }
  if (like) await raiseNotification(deps, { type: "like", uid: owner!, actorUid: uid, targetId: historyId });
  return { liked: like, likeCount: (await loadCounts(db, historyId)).likeCount };
}

/** `likeComment` / `unlikeComment`: the same for a comment of a public item (its count lives
 *  on the comment; its author is notified after the commit, as for an item). */
export async function setCommentLike(deps: PeopleDeps, uid: string, historyId: string, commentId: string, like: boolean) {
  const { db } = deps;
  await ensureUser(deps, uid);
  const edgeRef = db.doc(commentLikePath(uid, commentId));
  const commentRef = db.doc(commentPath(historyId, commentId));
  const outboxId = newOutboxId("comment-like");
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [edge, comment, mirror] = await tx.getAll(edgeRef, commentRef, db.doc(mirrorPath(historyId)));
      if (!comment!.exists || (like && !mirror!.exists)) throw new HttpsError("not-found", "No such comment.");
      const authorUid = comment!.get("uid") as string;
      const count = (comment!.get("likeCount") as number | undefined) ?? 0;
      if (edge!.exists === like) return { changed: false, authorUid, likeCount: count };
      const now = Timestamp.now();
      if (like) tx.create(edgeRef, { historyId, at: now });
      else tx.delete(edgeRef);
      tx.update(commentRef, { likeCount: count + (like ? 1 : -1) });
      recordInTransaction(db, tx, outboxId, writes.commentLiked.tags({ uid, historyId }), now.toMillis());
      return { changed: true, authorUid, likeCount: count + (like ? 1 : -1) };
    },
    10,
  );
  if (result.changed) {
    logs.liked("comment", uid, commentId, like);
    await flushOutbox(deps, outboxId, writes.commentLiked.tags({ uid, historyId }));
  }
  if (like) await raiseNotification(deps, { type: "like", uid: result.authorUid, actorUid: uid, targetId: commentId });
  return { liked: like, likeCount: result.likeCount };
}
