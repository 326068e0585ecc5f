import type { Request } from "firebase-functions/https";
import type { Response } from "express";
import type { z } from "zod";
import type { Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { badRequest, guarded, sendJson } from "../shared/http";
import { families } from "../cache/registry";
import { decodeCursor } from "./cursor";
import { loadFeedPage, loadGeneration } from "./load";
import { describeIssues, feedQuerySchema, generationQuerySchema, singleValues } from "./query";

export interface ReadDeps { db: Firestore; cache: Cache }

/** The query validated by `schema`, or undefined after answering 400 with the reason. */
function parseQuery<S extends z.ZodType>(req: Request, res: Response, schema: S): z.infer<S> | undefined {
  const raw = singleValues(req.query as Record<string, unknown>);
  if (typeof raw === "string") return badRequest(res, raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return badRequest(res, describeIssues(parsed.error));
  return parsed.data;
}

/** GET publicFeed?sort=recent|score&limit=1..50&cursor=... */
export function publicFeedHandler(deps: () => ReadDeps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "publicFeed", async () => {
      const query = parseQuery(req, res, feedQuerySchema);
      if (!query) return;
      const { sort, limit, cursor } = query;
      const after = cursor === undefined ? null : decodeCursor(cursor);
      if (cursor !== undefined && (!after || after.s !== sort)) return badRequest(res, "cursor: not a cursor of this feed order");
      const { db, cache } = deps();
      const page = await cache.getOrLoad(families.feedPage, { sort, limit, cursor: cursor ?? null }, () => loadFeedPage(db, sort, limit, after));
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
      sendJson(req, res, { item });
    });
}
