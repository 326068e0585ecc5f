import { randomUUID } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import { flushInvalidations, recordInTransaction } from "../cache/outbox";
import type { Job } from "../maintenance/job";
import { mirrorPath } from "../mirror/paths";
import type { SignupSettings } from "./config";
import { selectSignupCandidates } from "./select";

/** `signupImageCache/current`: `{ historyIds, refreshedAt }`, the selection (the images are
 *  read from the mirror at read time); `signupImageCache/refreshLock`: who is refreshing,
 *  until when (so on-demand refreshes never run twice at once). */
export const signupImageCache = "signupImageCache";
const lockMs = 30_000;

export interface SignupSelection {
  historyIds: string[];
  refreshedAt: string | null;
}

/** Test seam: runs between the selection's query and its write. */
export interface RefreshHooks {
  afterSelect?: (historyIds: string[]) => Promise<void>;
}

export async function readSelection(db: Firestore): Promise<{ historyIds: string[]; refreshedAt: Timestamp | null }> {
  const snap = await db.collection(signupImageCache).doc("current").get();
  return {
    historyIds: (snap.get("historyIds") as string[] | undefined) ?? [],
    refreshedAt: (snap.get("refreshedAt") as Timestamp | undefined) ?? null,
  };
}

/** Selects and stores the signup selection. The write re-reads the chosen items in its
 *  transaction and keeps only those still public and above the threshold, so a refresh that
 *  chose an item just before it was unpublished never writes it back; the selection's cache
 *  tags go through the outbox in the same transaction. */
export async function refreshSignupSelection(
  db: Firestore,
  cache: Cache,
  settings: SignupSettings,
  now = Date.now(),
  hooks: RefreshHooks = {},
): Promise<string[]> {
  const candidates = await selectSignupCandidates(db, settings);
  await hooks.afterSelect?.(candidates);
  const outboxId = `signup-${randomUUID()}`;
  const tags = writes.signupSelected.tags();
  const kept = await db.runTransaction(async (tx) => {
    const mirrors = candidates.length === 0 ? [] : await tx.getAll(...candidates.map((id) => db.doc(mirrorPath(id))));
    const still = mirrors.filter((m) => m.exists && Number(m.get("aestheticScore")) >= settings.minScore).map((m) => m.id);
    tx.set(db.collection(signupImageCache).doc("current"), { historyIds: still, refreshedAt: Timestamp.fromMillis(now) });
    recordInTransaction(db, tx, outboxId, tags, now);
    return still;
  });
  await flushInvalidations(db, (t) => cache.bump(t), [{ id: outboxId, tags }]);
  return kept;
}

/** Takes the refresh lock if nobody holds a live one. */
async function takeLock(db: Firestore, now: number, holder: string): Promise<boolean> {
  const ref = db.collection(signupImageCache).doc("refreshLock");
  return db.runTransaction(async (tx) => {
    const until = (await tx.get(ref)).get("until") as Timestamp | undefined;
    if (until && until.toMillis() > now) return false;
    tx.set(ref, { holder, until: Timestamp.fromMillis(now + lockMs) });
    return true;
  });
}

/** The selection `signupImages` serves: the stored one, refreshed first when missing or
 *  older than the TTL. Only the lock holder refreshes; others serve what is stored (or, when
 *  nothing is stored yet, select without storing), never waiting on a slow refresh. */
export async function selectionForReaders(
  db: Firestore,
  cache: Cache,
  settings: SignupSettings,
  now = Date.now(),
): Promise<SignupSelection> {
  const stored = await readSelection(db);
  const fresh = stored.refreshedAt !== null && now - stored.refreshedAt.toMillis() < settings.ttlMs;
  const asRead = () => ({ historyIds: stored.historyIds, refreshedAt: stored.refreshedAt!.toDate().toISOString() });
  if (fresh) return asRead();
  if (await takeLock(db, now, `reader-${process.pid}-${now}`)) {
    return { historyIds: await refreshSignupSelection(db, cache, settings, now), refreshedAt: new Date(now).toISOString() };
  }
  if (stored.refreshedAt) return asRead();
  return { historyIds: await selectSignupCandidates(db, settings), refreshedAt: null };
}

/** The scheduled job: refresh (or, dry run, only select). */
export function signupRefreshJob(cache: () => Cache, settings: () => SignupSettings): Job {
  return async ({ db, now }, { dryRun }) => {
    const historyIds = dryRun ? await selectSignupCandidates(db, settings()) : await refreshSignupSelection(db, cache(), settings(), now());
    return { counts: { selected: historyIds.length }, errors: [], ...(dryRun ? { planned: historyIds } : {}) };
  };
}
