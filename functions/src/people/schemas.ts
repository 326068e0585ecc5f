import { z } from "zod";
import { docId } from "../shared/ids";
import { plainText } from "../shared/zod";
import { usernameSchema } from "./username";

const httpsUrl = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[-A-Za-z0-9._~:/?#@!$&()*+,;=%]+$/, "an https URL of URL characters (percent-encode the rest)");

export const updateProfileInput = z
  .strictObject({
    username: usernameSchema.optional(),
    displayName: plainText(60, 1).optional(),
    avatarUrl: httpsUrl.optional(),
    bio: z
      .string()
      .trim()
      .max(500)
      // eslint-disable-next-line no-control-regex -- the pattern exists to find control characters
      .regex(/^[^\p{Cs}\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/u, "no control characters but line breaks")
      .optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "give at least one field to change");
export type UpdateProfileInput = z.infer<typeof updateProfileInput>;

// Firebase Auth uids are at most 128 characters: a longer one is no account (checked before Auth is asked).
export const followInput = z.strictObject({ targetUid: z.string().max(128, "not a user id (at most 128 characters)").pipe(docId) });
export const noInput = z.strictObject({});

/** `limit` of every paged people read. */
export const limitSchema = z.number().int().min(1).max(50).default(20);
export const pageInput = z.strictObject({ limit: limitSchema, cursor: z.string().min(1).optional() });

// A repeated id counts once (each notification lowers the unread count once).
export const markReadInput = z.strictObject({
  ids: z
    .array(docId)
    .min(1)
    .max(500)
    .transform((ids) => [...new Set(ids)])
    .optional(),
});
export const deleteNotificationInput = z.strictObject({ id: docId });

/** HTTP query strings. */
export const profileQuery = z.strictObject({
  uid: docId,
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().min(1).optional(),
});
export const exploreQuery = z.strictObject({
  q: z.string().max(200).default(""),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().min(1).optional(),
});
