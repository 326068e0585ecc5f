import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";

const timestamp = z.instanceof(Timestamp, { message: "expected a Firestore timestamp" });
const url = z.string().min(1).max(2048);

/** One image of a generation. `thumbnailUrl`/`avifUrl` are optimizations added later. */
export const imageSchema = z.object({
  url,
  thumbnailUrl: url.optional(),
  avifUrl: url.optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export const videoSchema = imageSchema.extend({ durationMs: z.number().nonnegative().optional() });

/** A `generationHistory/{uid}/items/{historyId}` document as Fresco reads it. Unknown
 *  fields are stripped (z.object's default), so they never reach the public mirror. */
export const sourceItemSchema = z.object({
  prompt: z.string().max(10_000),
  model: z.string().min(1).max(200),
  images: z.array(imageSchema).max(64).default([]),
  videos: z.array(videoSchema).max(16).default([]),
  isPublic: z.boolean().default(false),
  isDeleted: z.boolean().default(false),
  aestheticScore: z.number().finite().optional(),
  createdAt: timestamp,
  updatedAt: timestamp.optional(),
  createdBy: z.object({
    uid: z.string().min(1).max(128),
    username: z.string().max(100).optional(),
    photoURL: url.optional(),
  }),
});
export type SourceItem = z.infer<typeof sourceItemSchema>;
export type Image = z.infer<typeof imageSchema>;
export type Video = z.infer<typeof videoSchema>;

/** The optimization fields that a later process may add to mirror media. */
export const optimizationFields = ["thumbnailUrl", "avifUrl"] as const;
