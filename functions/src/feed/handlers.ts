import { createHash } from "node:crypto";
import type { Request } from "firebase-functions/https";
import type { Response } from "express";
import type { z } from "zod";
import type { Firestore } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import type { Cache } from "../cache/cache";
import { families } from "../cache/registry";
import { decodeCursor } from "./cursor";
import { loadFeedPage, loadGeneration } from "./load";
import { describeIssues, feedQuerySchema, generationQuerySchema, singleValues } from "./query";

export interface ReadDeps { db: Firestore; cache: Cache }

/** Browsers and CDNs may keep a copy but must revalidate every time (the ETag makes that a
 *  cheap 304): any longer max-age would show an admin's change late, which is the bug
 *  Fresco exists to end. Redis is the cache that gets invalidated; HTTP caches cannot be. */
function sendJson(req: Request, res: Response, body: unknown): void {
  const json = JSON.stringify(body);
  const etag = `"${createHash("sha1").update(json).digest("base64url")}"`;
  res.set("Cache-Control", "public, no-cache").set("ETag", etag);
  if (req.get("if-none-match") === etag) {
    res.status(304).end();
    return;
  }
  res.status(200).type("application/json").send(json);
}

function badRequest(res: Response, message: string): undefined {
  res.status(400).set("Cache-Control", "no-store").json({ error: message });
}

/** The query validated by `schema`, or undefined after answering 400 with the reason. */
function parseQuery<S extends z.ZodType>(req: Request, res: Response, schema: S): z.infer<S> | undefined {
  const raw = singleValues(req.query as Record<string, unknown>);
  if (typeof raw === "string") return badRequest(res, raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return badRequest(res, describeIssues(parsed.error));
  return parsed.data;
}

async function guarded(req: Request, res: Response, what: string, work: () => Promise<void>): Promise<void> {
  if (req.method !== "GET") {
    res.status(405).set("Allow", "GET").json({ error: "method not allowed" });
    return;
  }
  try {
    await work();
  } catch (error) {
    // Internals stay in the logs; the client gets a generic 500.
    logger.error(`${what} failed`, { error: String(error), query: req.query });
    res.status(500).set("Cache-Control", "no-store").json({ error: "internal error" });
  }
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
