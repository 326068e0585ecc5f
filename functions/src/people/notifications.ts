import { FieldValue, Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { decodeCursor, encodeCursor, fromCursorTime, timeAndId, toCursorTime } from "../shared/cursor";
import { runContendedTransaction } from "../shared/transaction";
import * as logs from "./logs";
import { notificationId, notificationsPath, userPath, type NotificationType } from "./model";
import { flushOutbox, newOutboxId, type PeopleDeps } from "./users";

export interface NotificationRaise {
  type: NotificationType;
  /** Who is notified. */
  uid: string;
  actorUid: string;
  targetId?: string;
}

/**
 * Inside the caller's transaction: reads whether this (type, actor, target) already raised
 * its notification. Transactions read before they write, so this returns the write to make
 * once the caller's reads are done. None for acting on your own things, and none again for
 * a repeat (a like-unlike-like finds its one notification and leaves it as it is). The
 * caller's write action must hold `writes.notificationsChanged`'s tags for `uid`.
 */
export async function prepareNotification(db: Firestore, tx: Transaction, raise: NotificationRaise) {
  if (raise.uid === raise.actorUid) return (_now: number) => false;
  const ref = db.doc(`${notificationsPath(raise.uid)}/${notificationId(raise.type, raise.actorUid, raise.targetId)}`);
  const existing = await tx.get(ref);
  return (now: number) => {
    if (existing.exists) return false;
    tx.create(ref, {
      type: raise.type,
      actorUid: raise.actorUid,
      ...(raise.targetId === undefined ? {} : { targetId: raise.targetId }),
      read: false,
      createdAt: Timestamp.fromMillis(now),
    });
    tx.update(db.doc(userPath(raise.uid)), { unreadNotifications: FieldValue.increment(1) });
    return true;
  };
}

/**
 * Raises a notification in a transaction of its own, after the action that causes it has
 * committed (a like, a comment): the notified user's document (their unread count) is then
 * never in the action's transaction, so 200 likers of one item do not make their likes wait
 * on one document together (a contended notification is late; the like stands). Idempotent
 * (the id is the raise's), so the caller may raise again on a retried action to heal a crash
 * between the two. Bumps the notified user's tags before it returns: their next read shows it.
 * A failure after the retries is logged as an error with the raise; the action is not undone.
 */
export async function raiseNotification(deps: PeopleDeps, raise: NotificationRaise): Promise<void> {
  if (raise.uid === raise.actorUid) return;
  const { db } = deps;
  const outboxId = newOutboxId("notification");
  const tags = writes.notificationsChanged.tags({ uid: raise.uid });
  try {
    const raised = await runContendedTransaction(
      db,
      async (tx) => {
        const notify = await prepareNotification(db, tx, raise);
        const now = Date.now();
        if (!notify(now)) return false;
        recordInTransaction(db, tx, outboxId, tags, now);
        return true;
      },
      10,
    );
    if (raised) await flushOutbox(deps, outboxId, tags);
  } catch (error) {
    logs.notificationFailed(raise, error);
  }
}

export interface NotificationView {
  id: string;
  type: NotificationType;
  actorUid: string;
  targetId: string | null;
  read: boolean;
  createdAt: string;
}

/** A page of the user's notifications, newest first (read from Firestore: the cached read
 *  and the matrix test's ground truth). */
export async function loadNotifications(db: Firestore, uid: string, limit: number, cursor: string | null) {
  const after = cursor === null ? null : decodeCursor(cursor, timeAndId);
  if (cursor !== null && !after) throw new HttpsError("invalid-argument", "cursor: not a cursor of this list");
  let query = db
    .collection(notificationsPath(uid))
    .orderBy("createdAt", "desc")
    .orderBy("__name__", "desc")
    .limit(limit + 1);
  if (after) query = query.startAfter(fromCursorTime(after.t), after.id);
  const snap = await query.get();
  const docs = snap.docs.slice(0, limit);
  const last = docs[docs.length - 1];
  const items: NotificationView[] = docs.map((d) => ({
    id: d.id,
    type: d.get("type") as NotificationType,
    actorUid: d.get("actorUid") as string,
    targetId: (d.get("targetId") as string | undefined) ?? null,
    read: d.get("read") === true,
    createdAt: (d.get("createdAt") as Timestamp).toDate().toISOString(),
  }));
  const nextCursor =
    snap.docs.length > limit && last ? encodeCursor({ t: toCursorTime(last.get("createdAt") as Timestamp), id: last.id }) : null;
  return { items, nextCursor };
}

/** Per transaction: well under Firestore's 500 writes. */
const markBatch = 200;

/** Marks the given notifications (all unread ones when `ids` is absent) read. Each batch is
 *  one transaction that moves the unread count by exactly the number it changed, so the count
 *  stays right beside notifications raised meanwhile. Unknown ids are skipped. */
export async function markNotificationsRead(
  deps: PeopleDeps,
  uid: string,
  ids: string[] | undefined,
): Promise<{ marked: number; unreadNotifications: number }> {
  const { db } = deps;
  const userRef = db.doc(userPath(uid));
  let marked = 0;
  let unread = 0;
  for (let i = 0; ; i += markBatch) {
    const outboxId = newOutboxId("notifications");
    const result = await db.runTransaction(async (tx) => {
      const refs = ids
        ? ids.slice(i, i + markBatch).map((id) => db.doc(`${notificationsPath(uid)}/${id}`))
        : (await tx.get(db.collection(notificationsPath(uid)).where("read", "==", false).limit(markBatch))).docs.map((d) => d.ref);
      const [user, ...docs] = refs.length ? await tx.getAll(userRef, ...refs) : [await tx.get(userRef)];
      const changing = docs.filter((d) => d.exists && d.get("read") !== true);
      const left = Math.max(0, ((user!.get("unreadNotifications") as number) ?? 0) - changing.length);
      if (changing.length === 0) return { changed: 0, left, more: false };
      for (const d of changing) tx.update(d.ref, { read: true });
      tx.update(userRef, { unreadNotifications: left });
      recordInTransaction(db, tx, outboxId, writes.notificationsChanged.tags({ uid }), Date.now());
      return { changed: changing.length, left, more: !ids && refs.length === markBatch };
    });
    marked += result.changed;
    unread = result.left;
    if (result.changed > 0) await flushOutbox(deps, outboxId, writes.notificationsChanged.tags({ uid }));
    if (ids ? i + markBatch >= ids.length : !result.more) return { marked, unreadNotifications: unread };
  }
}

/** Deletes one of the user's notifications (not-found when it is not there). */
export async function deleteNotification(
  deps: PeopleDeps,
  uid: string,
  id: string,
): Promise<{ deleted: true; unreadNotifications: number }> {
  const { db } = deps;
  const ref = db.doc(`${notificationsPath(uid)}/${id}`);
  const userRef = db.doc(userPath(uid));
  const outboxId = newOutboxId("notifications");
  const unread = await db.runTransaction(async (tx) => {
    const [user, doc] = await tx.getAll(userRef, ref);
    if (!doc!.exists) throw new HttpsError("not-found", "No such notification.");
    let count = (user!.get("unreadNotifications") as number) ?? 0;
    tx.delete(ref);
    if (doc!.get("read") !== true) {
      count = Math.max(0, count - 1);
      tx.update(userRef, { unreadNotifications: count });
    }
    recordInTransaction(db, tx, outboxId, writes.notificationsChanged.tags({ uid }), Date.now());
    return count;
  });
  await flushOutbox(deps, outboxId, writes.notificationsChanged.tags({ uid }));
  return { deleted: true, unreadNotifications: unread };
}
