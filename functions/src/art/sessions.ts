import { Timestamp, type DocumentSnapshot, type Firestore, type Transaction } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import * as logs from "./logs";
import { artLimits, artSessions, sessionPath } from "./model";

export interface SessionAnswer {
  sessionId: string;
  expiresAt: string;
  /** True when the given session was the caller's and alive (a reload or a second tab keeps it). */
  resumed: boolean;
}

const expiryAfter = (now: number) => Timestamp.fromMillis(now + artLimits.sessionLifeMs);
/** The fields every use of a session writes: it lives 24 h after this use. */
const useFields = (now: number) => ({ lastUsedAt: Timestamp.fromMillis(now), expiresAt: expiryAfter(now) });

/** Whether a session document is the caller's and alive. TTL deletion lags expiry by up to a
 *  day, so an expired document still there is treated as gone. */
function stateOf(snap: DocumentSnapshot, uid: string, now: number): "mine" | "expired" | "absent" {
  if (!snap.exists || snap.get("uid") !== uid) return "absent";
  const expiresAt = snap.get("expiresAt") as Timestamp | undefined;
  return expiresAt && expiresAt.toMillis() > now ? "mine" : "expired";
}

/**
 * `startArtSession({ sessionId? })`: the caller's session when the given id is theirs and
 * alive (its life starts again), a new one otherwise: an unknown, expired or someone else's
 * id gets a new session, and says nothing about the other one. One transaction, so a session
 * that expires meanwhile is never revived.
 */
export async function startArtSession(db: Firestore, uid: string, sessionId: string | undefined, now: number): Promise<SessionAnswer> {
  if (sessionId !== undefined) {
    const ref = db.doc(sessionPath(sessionId));
    const resumed = await db.runTransaction(async (tx) => {
      if (stateOf(await tx.get(ref), uid, now) !== "mine") return false;
      tx.update(ref, useFields(now));
      return true;
    });
    if (resumed) return { sessionId, expiresAt: expiryAfter(now).toDate().toISOString(), resumed: true };
  }
  const ref = db.collection(artSessions).doc();
  await ref.create({ uid, createdAt: Timestamp.fromMillis(now), ...useFields(now) });
  logs.sessionStarted(uid, ref.id);
  return { sessionId: ref.id, expiresAt: expiryAfter(now).toDate().toISOString(), resumed: false };
}

/** Refuses a session that is not the caller's live one: someone else's or an unknown one is
 *  `not-found` (the same answer, so ids cannot be probed), an expired one `failed-precondition`. */
export function requireLiveSession(snap: DocumentSnapshot, uid: string, now: number): void {
  const state = stateOf(snap, uid, now);
  if (state === "absent") throw new HttpsError("not-found", "No such art session.");
  if (state === "expired")
    throw new HttpsError("failed-precondition", "This art session has expired: start a new one with startArtSession.");
}

/** Inside a transaction that read the session: this call is a use of it. */
export function useSessionIn(tx: Transaction, snap: DocumentSnapshot, now: number): void {
  tx.update(snap.ref, useFields(now));
}

/** The caller's live session (refusals as `requireLiveSession`), read outside a transaction. */
export async function liveSession(db: Firestore, uid: string, sessionId: string, now: number): Promise<DocumentSnapshot> {
  const snap = await db.doc(sessionPath(sessionId)).get();
  requireLiveSession(snap, uid, now);
  return snap;
}

/**
 * Records a use of a session `liveSession` checked: a blind update with the read's update time
 * as precondition, so it never revives a session deleted meanwhile (it had expired) nor moves
 * back an expiry a concurrent use moved on (either way it is only logged).
 */
export function recordSessionUse(snap: DocumentSnapshot, now: number): Promise<void> {
  return snap.ref
    .update(useFields(now), { lastUpdateTime: snap.updateTime! })
    .then(() => undefined)
    .catch((error: unknown) => logs.sessionUseNotRecorded(snap.id, error));
}
