import type { Request } from "firebase-functions/https";
import type { Response } from "express";
import type { Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { families } from "../cache/map";
import { badRequest, guarded, parseQuery, sendJson } from "../shared/http";
import { decodeFeedCursor } from "./cursor";
import { loadGeneration } from "../mirror/public";
import { encodeCursor } from "../shared/cursor";
import { loadFeedPage } from "./load";
import { joinCreators, withCreators } from "../people/cards";
import { feedQuerySchema, generationQuerySchema } from "./query";

export interface ReadDeps {
  db: Firestore;
  cache: Cache;
}

/** GET publicFeed?sort=recent|score&limit=1..50&cursor=... */
export function publicFeedHandler(deps: () => ReadDeps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "publicFeed", async () => {
      const query = parseQuery(req, res, feedQuerySchema);
      if (!query) return;
      const { sort, limit, cursor } = query;
      const after = cursor === undefined ? null : decodeFeedCursor(cursor);
      if (cursor !== undefined && (!after || after.s !== sort)) return badRequest(res, "cursor: not a cursor of this feed order");
      const { db, cache } = deps();
      const page = await cache.getOrLoad(families.feedPage, { sort, limit, cursor: after ? encodeCursor(after) : null }, async (dependOn) =>
        joinCreators({ db, cache }, dependOn, await loadFeedPage(db, sort, limit, after)),
      );
      sendJson(req, res, page);
    });
}

/** GET publicGeneration?id=... */
export function publicGenerationHandler(deps: () => ReadDeps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "publicGeneration", async () => {
      const query = parseQuery(req, res, generationQuerySchema);
      if (!query) return;
      const { db, cache } = deps();
      const item = await cache.getOrLoad(families.generation, { historyId: query.id }, () => loadGeneration(db, query.id));
      if (!item) {
        res.status(404).set("Cache-Control", "no-cache").json({ error: "not found" });
        return;
      }
      const [joined] = await withCreators({ db, cache }, [item]);
      sendJson(req, res, { item: joined });
    });
}
