import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";

// A `generationHistory/{uid}/items/{historyId}` document as Fresco reads it. The same bounds
// as firestore.rules (test/rules/item-fixtures.ts holds the cases both must agree on; a
// test runs them through this schema too), because an item the rules let a client write
// must never be one the mirror refuses, and the other way round for server writers.

const timestamp = z.instanceof(Timestamp, { message: "expected a Firestore timestamp" });

/** https and the characters RFC 3986 allows (less ' [ ]): nothing to escape in JSON or HTML. */
const urlPattern = /^https:\/\/[-A-Za-z0-9._~:/?#@!$&()*+,;=%]+$/;
const url = z.string().max(2048).regex(urlPattern, "expected an https URL of URL characters (percent-encode the rest)");
const dimension = z.number().int().min(1).max(16_384);
const utf8Bytes = (max: number) => (s: string) => Buffer.byteLength(s, "utf8") <= max;
/** No control characters (a JSON page spends 6 bytes on each); the prompt keeps \t \n \r. */
/* eslint-disable no-control-regex -- these patterns exist to find control characters */
const promptText = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;
const plainText = /^[^\x00-\x1f\x7f]*$/;
/* eslint-enable no-control-regex */

/** The bounds, in one place for the schema and its tests. */
export const itemLimits = { promptBytes: 3000, modelBytes: 200, usernameChars: 100, images: 4, videos: 2, urlBudgetChars: 6144 };

/** One image of a generation. `thumbnailUrl`/`avifUrl` are optimizations added later. */
export const imageSchema = z.strictObject({
  url,
  thumbnailUrl: url.optional(),
  avifUrl: url.optional(),
  width: dimension.optional(),
  height: dimension.optional(),
});
export const videoSchema = imageSchema.extend({ durationMs: z.number().min(0).max(3_600_000).optional() });

/** Every URL of an item together: each may be 2048 characters, the item's sum at most 6144,
 *  so a feed page of 50 worst-case items stays well under 1 MB (measured by a test). */
function urlChars(item: { images: Image[]; videos: Video[]; createdBy: { photoURL?: string | undefined } }): number {
  const media = [...item.images, ...item.videos];
  return (
    media.reduce((sum, m) => sum + m.url.length + (m.thumbnailUrl?.length ?? 0) + (m.avifUrl?.length ?? 0), 0) +
    (item.createdBy.photoURL?.length ?? 0)
  );
}

/** Unknown fields are stripped (z.object's default), so they never reach the public mirror.
 *  `aestheticScore` and `aestheticScoreFor` are the admins' (see score.ts). */
export const sourceItemSchema = z
  .object({
    prompt: z.string().refine(utf8Bytes(itemLimits.promptBytes), "at most 3000 UTF-8 bytes").regex(promptText, "no control characters"),
    model: z.string().min(1).refine(utf8Bytes(itemLimits.modelBytes), "at most 200 UTF-8 bytes").regex(plainText, "no control characters"),
    images: z.array(imageSchema).max(itemLimits.images).default([]),
    videos: z.array(videoSchema).max(itemLimits.videos).default([]),
    isPublic: z.boolean().default(false),
    isDeleted: z.boolean().default(false),
    aestheticScore: z.number().finite().optional(),
    aestheticScoreFor: z.string().max(100).optional(),
    createdAt: timestamp,
    updatedAt: timestamp,
    createdBy: z.strictObject({
      uid: z.string().min(1).max(128),
      username: z.string().max(itemLimits.usernameChars).regex(plainText, "no control characters").optional(),
      photoURL: url.optional(),
    }),
  })
  .refine((item) => urlChars(item) <= itemLimits.urlBudgetChars, {
    message: "the item's URLs add up to more than 6144 characters",
    path: ["images"],
  });

export type SourceItem = z.infer<typeof sourceItemSchema>;
export type Image = z.infer<typeof imageSchema>;
export type Video = z.infer<typeof videoSchema>;

/** The optimization fields that a later process may add to mirror media. */
export const optimizationFields = ["thumbnailUrl", "avifUrl"] as const;
