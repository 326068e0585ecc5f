import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { runContendedTransaction } from "../shared/transaction";
import * as logs from "./logs";
import { followerPath, followingPath, userPath } from "./model";
import { prepareNotification } from "./notifications";
import { ensureUser, flushOutbox, newOutboxId, type PeopleDeps } from "./users";

export interface FollowResult {
  following: boolean;
  followersCount: number;
  followingCount: number;
}

/**
 * `followUser` / `unfollowUser`: one transaction reads both users and the edge; when the edge
 * changes it writes both sides of it, moves both counts by one, raises the target's follow
 * notification (once ever per follower: a re-follow finds it) and records the cache outbox.
 * Idempotent: following twice writes nothing and answers the same. The answer's counts are
 * the committed ones: `followersCount` the target's, `followingCount` the caller's.
 */
export async function setFollow(deps: PeopleDeps, uid: string, targetUid: string, follow: boolean): Promise<FollowResult> {
  if (uid === targetUid) throw new HttpsError("invalid-argument", "You cannot follow yourself.");
  await ensureUser(deps, uid);
  const { db } = deps;
  // A target who has an account but never made a people call gets their user document now.
  if (!(await db.doc(userPath(targetUid)).get()).exists && (await deps.accountExists?.(targetUid))) await ensureUser(deps, targetUid);
  const meRef = db.doc(userPath(uid));
  const targetRef = db.doc(userPath(targetUid));
  const edgeRef = db.doc(followingPath(uid, targetUid));
  const outboxId = newOutboxId("follow");
  const tags = writes.followChanged.tags({ uid, targetUid });
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [me, target, edge] = await tx.getAll(meRef, targetRef, edgeRef);
      if (!target!.exists) throw new HttpsError("not-found", "No such user.");
      const notify = follow ? await prepareNotification(db, tx, { type: "follow", uid: targetUid, actorUid: uid }) : undefined;
      const counts = {
        followersCount: (target!.get("followersCount") as number) ?? 0,
        followingCount: (me!.get("followingCount") as number) ?? 0,
      };
      if (edge!.exists === follow) return { changed: false, following: follow, ...counts };
      const step = follow ? 1 : -1;
      const now = Timestamp.now();
      if (follow) {
        tx.create(edgeRef, { at: now });
        tx.create(db.doc(followerPath(targetUid, uid)), { at: now });
      } else {
        tx.delete(edgeRef);
        tx.delete(db.doc(followerPath(targetUid, uid)));
      }
      tx.update(meRef, { followingCount: FieldValue.increment(step) });
      tx.update(targetRef, { followersCount: FieldValue.increment(step) });
      notify?.(now.toMillis());
      recordInTransaction(db, tx, outboxId, tags, now.toMillis());
      return {
        changed: true,
        following: follow,
        followersCount: counts.followersCount + step,
        followingCount: counts.followingCount + step,
      };
    },
    10,
  );
  if (result.changed) {
    logs.followChanged(uid, targetUid, follow);
    await flushOutbox(deps, outboxId, tags);
  }
  return { following: result.following, followersCount: result.followersCount, followingCount: result.followingCount };
}
