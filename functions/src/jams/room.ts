import { randomUUID } from "node:crypto";
import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import { flushUntilConfirmed, recordInTransaction } from "../cache/outbox";
import * as logs from "./logs";
import { entriesCollection, entryCounterPath, jamPath, jams, maxEntriesPerJam } from "./model";
import type { AddEntryInput } from "./schemas";

export interface JamDeps {
  db: Firestore;
  cache: Cache;
  /** How long a write keeps retrying its cache invalidation before leaving it to the outbox. */
  invalidationDeadlineMs?: number;
}

/** Bumps what a committed write recorded in the outbox: the next read anywhere is fresh (or,
 *  if Redis does not confirm in time, once the outbox is replayed). */
export async function invalidateJam(deps: JamDeps, outboxId: string, jamId: string): Promise<boolean> {
  const tags = writes.jamChanged.tags({ jamId });
  return flushUntilConfirmed(deps.db, (t) => deps.cache.bump(t), [{ id: outboxId, tags }], deps.invalidationDeadlineMs ?? 10_000);
}

export async function createJam(deps: JamDeps, hostUid: string, title: string): Promise<{ jamId: string }> {
  const ref = deps.db.collection(jams).doc();
  const outboxId = `jam-${randomUUID()}`;
  // A jam id may have been read (and its absence cached) before it existed: invalidate it too.
  await deps.db.runTransaction(async (tx) => {
    tx.create(ref, { title, hostUid, status: "open", createdAt: FieldValue.serverTimestamp() });
    recordInTransaction(deps.db, tx, outboxId, writes.jamChanged.tags({ jamId: ref.id }), Date.now());
  });
  await invalidateJam(deps, outboxId, ref.id);
  return { jamId: ref.id };
}

/** The host closes the jam; votes and entries are refused from then on. Closing twice is a no-op. */
export async function closeJam(deps: JamDeps, uid: string, jamId: string): Promise<{ jamId: string; status: "closed" }> {
  const ref = deps.db.doc(jamPath(jamId));
  const outboxId = `jam-${randomUUID()}`;
  const changed = await deps.db.runTransaction(async (tx) => {
    const jam = await tx.get(ref);
    if (!jam.exists) throw new HttpsError("not-found", "No such jam.");
    if (jam.get("hostUid") !== uid) throw new HttpsError("permission-denied", "Only the jam's host can close it.");
    if (jam.get("status") === "closed") return false;
    tx.update(ref, { status: "closed", closedAt: FieldValue.serverTimestamp() });
    recordInTransaction(deps.db, tx, outboxId, writes.jamChanged.tags({ jamId }), Date.now());
    return true;
  });
  if (changed) {
    logs.jamClosed(jamId, uid);
    await invalidateJam(deps, outboxId, jamId);
  }
  return { jamId, status: "closed" };
}

export async function addEntry(deps: JamDeps, uid: string, input: AddEntryInput): Promise<{ entryId: string }> {
  const jamRef = deps.db.doc(jamPath(input.jamId));
  const entryRef = jamRef.collection(entriesCollection).doc();
  const outboxId = `jam-${randomUUID()}`;
  const counterRef = deps.db.doc(entryCounterPath(input.jamId));
  await deps.db.runTransaction(async (tx) => {
    const [jam, counter] = await tx.getAll(jamRef, counterRef);
    if (!jam!.exists) throw new HttpsError("not-found", "No such jam.");
    if (jam!.get("status") !== "open") throw new HttpsError("failed-precondition", "This jam is closed.");
    const count = (counter!.get("count") as number | undefined) ?? 0;
    if (count >= maxEntriesPerJam) throw new HttpsError("resource-exhausted", `This jam already has ${maxEntriesPerJam} entries.`);
    tx.create(entryRef, {
      title: input.title,
      ...(input.url ? { url: input.url } : {}),
      addedBy: uid,
      createdAt: Timestamp.now(),
      upvotes: 0,
      downvotes: 0,
      score: 0,
      tallySeq: 0,
    });
    tx.set(counterRef, { count: count + 1 });
    recordInTransaction(deps.db, tx, outboxId, writes.jamChanged.tags({ jamId: input.jamId }), Date.now());
  });
  await invalidateJam(deps, outboxId, input.jamId);
  return { entryId: entryRef.id };
}
