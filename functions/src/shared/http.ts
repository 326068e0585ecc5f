import { createHash } from "node:crypto";
import { HttpsError, type Request } from "firebase-functions/https";
import type { Response } from "express";
import * as logger from "firebase-functions/logger";
import type { z } from "zod";
import { describeIssues } from "./zod";
import { errorFields } from "./log";

/** Browsers and CDNs may keep a copy but must revalidate every time (the ETag makes that a
 *  cheap 304): any longer max-age would show an admin's change late, which is the bug
 *  Fresco exists to end. Redis is the cache that gets invalidated; HTTP caches cannot be. */
export function sendJson(req: Request, res: Response, body: unknown): void {
  const json = JSON.stringify(body);
  const etag = `"${createHash("sha1").update(json).digest("base64url")}"`;
  res.set("Cache-Control", "public, no-cache").set("ETag", etag);
  if (req.get("if-none-match") === etag) {
    res.status(304).end();
    return;
  }
  res.status(200).type("application/json").send(json);
}

export function badRequest(res: Response, message: string): undefined {
  res.status(400).set("Cache-Control", "no-store").json({ error: message });
}

/** GET only; an unexpected error is logged and answered with a bare 500. */
export async function guarded(req: Request, res: Response, what: string, work: () => Promise<void>): Promise<void> {
  if (req.method !== "GET") {
    res.status(405).set("Allow", "GET").json({ error: "method not allowed" });
    return;
  }
  try {
    await work();
  } catch (error) {
    // Internals stay in the logs; the client gets a generic 500.
    logger.error(`${what} failed`, { ...errorFields(error), query: req.query });
    res.status(500).set("Cache-Control", "no-store").json({ error: "internal error" });
  }
}

/** The query validated by `schema`, or undefined after answering 400 with the reason.
 *  Express puts repeated parameters in arrays; one value each is all a read accepts. */
export function parseQuery<S extends z.ZodType>(req: Request, res: Response, schema: S): z.infer<S> | undefined {
  for (const [key, value] of Object.entries(req.query)) {
    if (typeof value !== "string") return badRequest(res, `parameter "${key}" must be given once`);
  }
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) return badRequest(res, describeIssues(parsed.error, "query"));
  return parsed.data;
}

/** Runs a read and answers its refusals as HTTP: a tampered cursor is 400, a missing thing 404. */
export async function answerRefusals(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof HttpsError && error.code === "invalid-argument") return void badRequest(res, error.message);
    if (error instanceof HttpsError && error.code === "not-found")
      return void res.status(404).set("Cache-Control", "no-cache").json({ error: "not found" });
    throw error;
  }
}
