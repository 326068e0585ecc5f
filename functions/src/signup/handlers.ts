import type { Request } from "firebase-functions/https";
import type { Response } from "express";
import type { Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { families } from "../cache/map";
import { loadGeneration } from "../mirror/public";
import { withCreators } from "../people/cards";
import { guarded, sendJson } from "../shared/http";
import type { SignupSettings } from "./config";
import { selectionForReaders } from "./refresh";
import { signupImages } from "./select";

export interface SignupDeps {
  db: Firestore;
  cache: Cache;
  settings: SignupSettings;
}

/** GET signupImages: `{ images, refreshedAt }`. The selection (ids) and each item are read
 *  through the cache (two Redis round trips on a hit); each item through the same
 *  `generation` entry as publicGeneration, so a mirror change to a shown item (unpublished,
 *  deleted, score below the threshold, new username or thumbnail) shows on the next read. */
export function signupImagesHandler(deps: () => SignupDeps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "signupImages", async () => {
      const { db, cache, settings } = deps();
      const selection = await cache.getOrLoad(families.signupSelection, {}, () => selectionForReaders(db, cache, settings));
      const items = await Promise.all(
        selection.historyIds.map((historyId) => cache.getOrLoad(families.generation, { historyId }, () => loadGeneration(db, historyId))),
      );
      const shown = await withCreators(
        { db, cache },
        items.filter((i) => i !== null),
      );
      sendJson(req, res, { images: signupImages(shown, settings), refreshedAt: selection.refreshedAt });
    });
}
