import { Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { prepareNotification } from "../people/notifications";
import { ensureUser, flushOutbox, newOutboxId, type PeopleDeps } from "../people/users";
import { runContendedTransaction } from "../shared/transaction";
import { notPublic, publicOwner } from "./access";
import { mirrorPath } from "../mirror/paths";
import { countInTransaction, loadCounts } from "./counts";
import * as logs from "./logs";
import { commentLikePath, commentPath, likePath } from "./model";

/**
 * `likeImage` / `unlikeImage`: one transaction reads the caller's edge and the item's mirror
 * and, when the edge changes, writes it, moves the item's count on one shard (blind), raises
 * the owner's notification (once ever per liker) and records the cache outbox. Idempotent:
 * liking twice changes nothing, so the count is exact under any retries or concurrency.
 * A like needs a public item; a like can always be withdrawn (the edge names the owner).
 */
export async function setLike(deps: PeopleDeps, uid: string, historyId: string, like: boolean) {
  const { db } = deps;
  const [, owner] = await Promise.all([ensureUser(deps, uid), publicOwner(deps, historyId)]);
  const edgeRef = db.doc(likePath(uid, historyId));
  const outboxId = newOutboxId("like");
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [edge, mirror] = await tx.getAll(edgeRef, db.doc(mirrorPath(historyId)));
      const ownerUid = (mirror!.get("uid") as string | undefined) ?? (edge!.get("ownerUid") as string | undefined);
      if (like && (!mirror!.exists || ownerUid !== owner)) throw notPublic();
      if (!like && !edge!.exists && !mirror!.exists) throw notPublic();
      const notify = like
        ? await prepareNotification(db, tx, { type: "like", uid: ownerUid!, actorUid: uid, targetId: historyId })
        : undefined;
      if (edge!.exists === like) return { changed: false, ownerUid: ownerUid! };
      const now = Timestamp.now();
      if (like) tx.create(edgeRef, { at: now, ownerUid });
      else tx.delete(edgeRef);
      countInTransaction(db, tx, historyId, "likeCount", like ? 1 : -1);
      notify?.(now.toMillis());
      recordInTransaction(db, tx, outboxId, writes.imageLiked.tags({ uid, historyId, ownerUid: ownerUid! }), now.toMillis());
      return { changed: true, ownerUid: ownerUid! };
    },
    10,
  );
  if (result.changed) {
    logs.liked("image", uid, historyId, like);
    await flushOutbox(deps, outboxId, writes.imageLiked.tags({ uid, historyId, ownerUid: result.ownerUid }));
  }
  return { liked: like, likeCount: (await loadCounts(db, historyId)).likeCount };
}

/** `likeComment` / `unlikeComment`: the same for a comment of a public item (its count lives
 *  on the comment; its author is notified once ever per liker). */
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
      const notify = like
        ? await prepareNotification(db, tx, { type: "like", uid: authorUid, actorUid: uid, targetId: commentId })
        : undefined;
      const count = (comment!.get("likeCount") as number | undefined) ?? 0;
      if (edge!.exists === like) return { changed: false, authorUid, likeCount: count };
      const now = Timestamp.now();
      if (like) tx.create(edgeRef, { historyId, at: now });
      else tx.delete(edgeRef);
      tx.update(commentRef, { likeCount: count + (like ? 1 : -1) });
      notify?.(now.toMillis());
      recordInTransaction(db, tx, outboxId, writes.commentLiked.tags({ uid, historyId, authorUid }), now.toMillis());
      return { changed: true, authorUid, likeCount: count + (like ? 1 : -1) };
    },
    10,
  );
  if (result.changed) {
    logs.liked("comment", uid, commentId, like);
    await flushOutbox(deps, outboxId, writes.commentLiked.tags({ uid, historyId, authorUid: result.authorUid }));
  }
  return { liked: like, likeCount: result.likeCount };
}
