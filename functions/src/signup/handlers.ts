import type { Request } from "firebase-functions/https";
import type { Response } from "express";
import type { DocumentData, Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { families } from "../cache/map";
import { guarded, sendJson } from "../shared/http";
import type { SignupSettings } from "./config";
import { dropFromSignup, readSignupImages, signupImagesForReaders } from "./refresh";

export interface SignupDeps {
  db: Firestore;
  cache: Cache;
  settings: SignupSettings;
}

/** GET signupImages: `{ images, refreshedAt }` from the cache layer (one Redis round trip
 *  on a hit), refreshed on demand when missing or older than its TTL. */
export function signupImagesHandler(deps: () => SignupDeps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "signupImages", async () => {
      const { db, cache, settings } = deps();
      sendJson(req, res, await cache.getOrLoad(families.signupImages, {}, () => signupImagesForReaders(db, cache, settings)));
    });
}

/** On a mirror change: an item that left the public mirror, or lost an image, leaves the
 *  signup selection at once instead of at the next refresh. */
export async function onMirrorChangedForSignup(
  deps: Pick<SignupDeps, "db" | "cache">,
  historyId: string,
  after: DocumentData | undefined,
): Promise<void> {
  const { images } = await readSignupImages(deps.db);
  if (!images.some((i) => i.historyId === historyId)) return; // the common case: one cheap read
  const urls = new Set(((after?.images as Array<{ url?: unknown }> | undefined) ?? []).map((i) => String(i.url)));
  await dropFromSignup(deps.db, deps.cache, historyId, urls);
}
