import { HttpsError, type CallableRequest } from "firebase-functions/https";
import type { z } from "zod";

/** The caller's uid if they are signed in with the custom claim `admin: true`. */
export function requireAdmin(request: CallableRequest): string {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in to call this function.");
  if (request.auth.token.admin !== true) throw new HttpsError("permission-denied", "This function is for admins only.");
  return request.auth.uid;
}

/** Validates callable input at the boundary; a bad payload changes nothing. */
export function parseInput<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "input"}: ${i.message}`);
    throw new HttpsError("invalid-argument", `Invalid input: ${problems.join("; ")}`);
  }
  return parsed.data;
}
