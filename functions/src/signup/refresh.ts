import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import type { Job } from "../maintenance/job";
import type { SignupSettings } from "./config";
import { selectSignupImages, type SignupImage } from "./select";

/** `signupImageCache/current`: `{ images, refreshedAt }`; `signupImageCache/refreshLock`:
 *  who is refreshing, until when (so on-demand refreshes never run twice at once). */
export const signupImageCache = "signupImageCache";
const lockMs = 30_000;

export interface SignupImages {
  images: SignupImage[];
  refreshedAt: string | null;
}

export async function readSignupImages(db: Firestore): Promise<{ images: SignupImage[]; refreshedAt: Timestamp | null }> {
  const snap = await db.collection(signupImageCache).doc("current").get();
  return {
    images: (snap.get("images") as SignupImage[] | undefined) ?? [],
    refreshedAt: (snap.get("refreshedAt") as Timestamp | undefined) ?? null,
  };
}

/** Selects and stores the signup images, then invalidates their cache tag. */
export async function refreshSignupImages(db: Firestore, cache: Cache, settings: SignupSettings): Promise<SignupImage[]> {
  const images = await selectSignupImages(db, settings);
  await db.collection(signupImageCache).doc("current").set({ images, refreshedAt: FieldValue.serverTimestamp() });
  await cache.invalidate(writes.signupSelected.tags());
  return images;
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

/** What `signupImages` serves: the stored images, refreshed first when missing or older
 *  than the TTL. Only the lock holder refreshes; others serve what is stored (or, when
 *  nothing is stored yet, select without storing), never waiting on a slow refresh. */
export async function signupImagesForReaders(
  db: Firestore,
  cache: Cache,
  settings: SignupSettings,
  now = Date.now(),
): Promise<SignupImages> {
  const stored = await readSignupImages(db);
  const fresh = stored.refreshedAt !== null && now - stored.refreshedAt.toMillis() < settings.ttlMs;
  if (fresh) return { images: stored.images, refreshedAt: stored.refreshedAt!.toDate().toISOString() };
  if (await takeLock(db, now, `reader-${process.pid}-${now}`)) {
    const images = await refreshSignupImages(db, cache, settings);
    return { images, refreshedAt: new Date(now).toISOString() };
  }
  if (stored.refreshedAt) return { images: stored.images, refreshedAt: stored.refreshedAt.toDate().toISOString() };
  return { images: await selectSignupImages(db, settings), refreshedAt: null };
}

/** Drops images of an item from the stored selection (it was unpublished, deleted, or lost
 *  that image). Idempotent: a transaction re-reads the selection. */
export async function dropFromSignup(db: Firestore, cache: Cache, historyId: string, keepUrls: Set<string>): Promise<boolean> {
  const ref = db.collection(signupImageCache).doc("current");
  const dropped = await db.runTransaction(async (tx) => {
    const images = ((await tx.get(ref)).get("images") as SignupImage[] | undefined) ?? [];
    const kept = images.filter((i) => i.historyId !== historyId || keepUrls.has(i.url));
    if (kept.length === images.length) return false;
    tx.update(ref, { images: kept });
    return true;
  });
  if (dropped) await cache.invalidate(writes.signupSelected.tags());
  return dropped;
}

/** The scheduled job: refresh (or, dry run, only select). */
export function signupRefreshJob(cache: () => Cache, settings: () => SignupSettings): Job {
  return async ({ db }, { dryRun }) => {
    const images = dryRun ? await selectSignupImages(db, settings()) : await refreshSignupImages(db, cache(), settings());
    return {
      counts: { selected: images.length, creators: new Set(images.map((i) => i.uid)).size },
      errors: [],
      ...(dryRun ? { planned: images.map((i) => i.historyId) } : {}),
    };
  };
}
