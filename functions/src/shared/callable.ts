import { HttpsError, type CallableRequest } from "firebase-functions/https";
import type { z } from "zod";
import { isDocumentId } from "./ids";
import { describeIssues } from "./zod";

/** The caller's uid; `unauthenticated` when not signed in. */
export function requireUser(request: CallableRequest): string {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in to call this function.");
  return request.auth.uid;
}

/** The signed-in caller, whose uid names their documents (an Auth uid may hold any characters). */
export function requireUserId(request: CallableRequest): string {
  const uid = requireUser(request);
  if (!isDocumentId(uid)) throw new HttpsError("failed-precondition", "This account's uid cannot hold a profile.");
  return uid;
}

/** The caller's uid if they are signed in with the custom claim `admin: true`. */
export function requireAdmin(request: CallableRequest): string {
  const uid = requireUser(request);
  if (request.auth!.token.admin !== true) throw new HttpsError("permission-denied", "This function is for admins only.");
  return uid;
}

/** Validates callable input at the boundary; a bad payload changes nothing. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new HttpsError("invalid-argument", `Invalid input: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
