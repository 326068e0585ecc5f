import { FieldValue, Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import * as logs from "./logs";

/** `cacheInvalidations/{id}`: tags that still have to be bumped. Written in the same
 *  transaction as the change that makes them stale (a mirror write, a signup selection), deleted once the bump succeeded, so a crash or a Redis
 *  outage between the two never loses an invalidation: the replayer bumps what is left. */
export const cacheInvalidations = "cacheInvalidations";

export function recordInTransaction(db: Firestore, tx: Transaction, id: string, tags: string[], now: number): void {
  tx.set(db.collection(cacheInvalidations).doc(id), { tags, createdAt: Timestamp.fromMillis(now), attempts: 0 });
}

/** Bumps the tags, then removes their outbox entries; on failure the entries stay. */
export async function flushInvalidations(
  db: Firestore,
  invalidate: (tags: string[]) => Promise<void>,
  entries: Array<{ id: string; tags: string[] }>,
): Promise<boolean> {
  if (entries.length === 0) return true;
  const tags = [...new Set(entries.flatMap((e) => e.tags))];
  try {
    await invalidate(tags);
  } catch (error) {
    logs.invalidationDeferred(tags, error);
    const batch = db.batch();
    for (const e of entries)
      batch.update(db.collection(cacheInvalidations).doc(e.id), { attempts: FieldValue.increment(1), lastError: String(error) });
    await batch.commit().catch(() => undefined);
    return false;
  }
  // The tags are bumped: that is what counts. An entry that fails to go is bumped again by
  // the replay, which is harmless.
  const batch = db.batch();
  for (const e of entries) batch.delete(db.collection(cacheInvalidations).doc(e.id));
  await batch.commit().catch((error: unknown) => logs.outboxCleanupFailed(entries.length, error));
  return true;
}

/** Flushes, retrying with backoff until Redis confirms or `deadlineMs` passes: for a writer
 *  that answers its caller only once every reader on every instance sees the write. True
 *  when confirmed; false leaves the entries for the replay. */
export async function flushUntilConfirmed(
  db: Firestore,
  invalidate: (tags: string[]) => Promise<void>,
  entries: Array<{ id: string; tags: string[] }>,
  deadlineMs: number,
  now: () => number = Date.now,
): Promise<boolean> {
  const giveUpAt = now() + deadlineMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
    if (await flushInvalidations(db, invalidate, entries)) return true;
    if (now() + wait > giveUpAt) return false;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Replays every outbox entry older than `minAgeMs` (younger ones are still being flushed
 *  by their writer; bumping twice would be harmless, only wasted). */
export async function replayOutbox(
  db: Firestore,
  invalidate: (tags: string[]) => Promise<void>,
  now: number,
  minAgeMs = 0,
  limit = 500,
): Promise<{ replayed: number; ok: boolean }> {
  const snap = await db
    .collection(cacheInvalidations)
    .where("createdAt", "<=", Timestamp.fromMillis(now - minAgeMs))
    .orderBy("createdAt")
    .limit(limit)
    .get();
  const entries = snap.docs.map((d) => ({ id: d.id, tags: (d.get("tags") as string[]) ?? [] }));
  const ok = await flushInvalidations(db, invalidate, entries);
  return { replayed: ok ? entries.length : 0, ok };
}
