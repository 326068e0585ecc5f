import { z } from "zod";

/** A username as typed: 3-30 ASCII letters, digits, "_" or ".". Only ASCII, so a Unicode
 *  look-alike of an ASCII name (Cyrillic "а", fullwidth "ａ") is refused, never registered
 *  beside it; uniqueness is over `usernameKey` (lowercase), so case cannot make two names. */
export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.]{3,30}$/, "3-30 characters of a-z, 0-9, '_' and '.' (ASCII only)")
  // Its lowercase form is a document id (usernames/{key}); Firestore reserves `__.*__` ids.
  .refine((name) => !/^__.*__$/.test(name), "names that start and end with '__' are reserved");

export const usernameKey = (username: string) => username.toLowerCase();
