import { FieldValue, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";

/**
 * Concurrency caps (a rate is not a concurrency): `streamLeases/{uid}` holds
 * `{ leases: { [leaseId]: expiresAtMillis } }`, one entry per stream the user holds open. A
 * stream takes a lease in a transaction that first drops expired ones, renews it every
 * `leaseRenewMs` while it runs, and gives it back when it ends; a lease whose instance died
 * (or whose connection went silent without closing) expires `leaseTtlMs` after its last
 * renewal, so it costs the user one slot for at most that long. One document per user that
 * ever streamed: bounded by the users, nothing to expire.
 */
export const streamLeases = "streamLeases";
export const leaseTtlMs = 3 * 60_000;
export const leaseRenewMs = 60_000;

/** A new lease's id: made before it is taken, so a caller whose take answered with an error
 *  (the commit may still have happened) can give it back all the same. */
export const newLeaseId = (db: Firestore) => db.collection(streamLeases).doc().id;

export async function takeLease(db: Firestore, uid: string, leaseId: string, cap: number, ttlMs: number, now: number): Promise<string> {
  const ref = db.collection(streamLeases).doc(uid);
  await db.runTransaction(async (tx) => {
    const held = ((await tx.get(ref)).get("leases") ?? {}) as Record<string, number>;
    const live = Object.fromEntries(Object.entries(held).filter(([, expiresAt]) => expiresAt > now));
    if (Object.keys(live).length >= cap)
      throw new HttpsError("resource-exhausted", `At most ${cap} open streams per user: close one first.`, { openStreams: cap });
    tx.set(ref, { leases: { ...live, [leaseId]: now + ttlMs } });
  });
  return leaseId;
}

/** Moves a held lease's expiry to `now + ttlMs`; false when the lease is no longer held (it
 *  expired and was dropped: the stream has lost its slot, and is not given one back). */
export async function renewLease(db: Firestore, uid: string, leaseId: string, ttlMs: number, now: number): Promise<boolean> {
  const ref = db.collection(streamLeases).doc(uid);
  return db.runTransaction(async (tx) => {
    const held = ((await tx.get(ref)).get("leases") ?? {}) as Record<string, number>;
    if (held[leaseId] === undefined) return false;
    tx.update(ref, { [`leases.${leaseId}`]: now + ttlMs });
    return true;
  });
}

/** Gives a lease back (idempotent: a second release, or one after expiry, changes nothing). */
export async function releaseLease(db: Firestore, uid: string, leaseId: string): Promise<void> {
  await db
    .collection(streamLeases)
    .doc(uid)
    .update({ [`leases.${leaseId}`]: FieldValue.delete() })
    .catch((error: { code?: number }) => {
      if (error.code !== 5 /* NOT_FOUND */) throw error;
    });
}
