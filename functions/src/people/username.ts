import { createHash } from "node:crypto";
import { z } from "zod";

/** A username as typed: 3-30 ASCII letters, digits, "_" or ".". Only ASCII, so a Unicode
 *  look-alike of an ASCII name (Cyrillic "а", fullwidth "ａ") is refused, never registered
 *  beside it; uniqueness is over `usernameKey` (lowercase), so case cannot make two names. */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.]{3,30}$/, "3-30 characters of a-z, 0-9, '_' and '.' (ASCII only)");

export const usernameKey = (username: string) => username.toLowerCase();

/** The name a new user gets until they choose one: `user_` and 12 hex of their uid's hash
 *  (`attempt` lengthens it, for the rare hash that is taken). */
export function defaultUsername(uid: string, attempt = 0): string {
  return `user_${createHash("sha256")
    .update(uid)
    .digest("hex")
    .slice(0, 12 + attempt * 4)}`;
}
