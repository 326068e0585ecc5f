import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";

/**
 * `canvasMedia/{mediaId}`: one file a user uploaded or generated for a canvas, stored in
 * the S3-compatible media bucket (Zata; MinIO/R2 locally and elsewhere).
 *
 * | field               | type      | meaning                                                              |
 * | ------------------- | --------- | -------------------------------------------------------------------- |
 * | `storagePath`       | string    | the object's key in the media bucket (`MEDIA_BUCKET`)                |
 * | `referencedByCount` | number    | how many live canvas elements refer to it (applyCanvasOps keeps it) |
 * | `unreferencedAt`    | Timestamp | when the count last dropped to 0: the TTL runs from the later of this and `createdAt` |
 * | `ownerUid`          | string    | the user who uploaded it                                             |
 * | `createdAt`         | Timestamp | when it was uploaded                                                 |
 * | `sizeBytes`         | number    | the object's size, for the bytes freed by garbage collection         |
 * | `deletingAt`        | Timestamp | set only while `collectCanvasMedia` is deleting it (its claim)       |
 * | `deletingBy`        | string    | the run holding that claim                                           |
 *
 * `collectCanvasMedia` (daily) deletes media with `referencedByCount == 0` created and
 * unreferenced more than `CANVAS_MEDIA_TTL_DAYS` ago: the object first, then the record.
 * Uploads also carry `projectId`, `contentType`, `uploadExpiresAt`, `pendingUpload` (until
 * the first reference confirms the object) and `uploadedAt` (see uploads.ts). Code that takes a reference
 * (increments `referencedByCount`) must do so in a transaction that refuses media with
 * `deletingAt` set: its object may already be gone.
 */
export const canvasMedia = "canvasMedia";

/** What a record must hold to be collected; anything else is left alone and reported. */
export const canvasMediaSchema = z.object({
  storagePath: z.string().min(1),
  referencedByCount: z.number(),
  createdAt: z.instanceof(Timestamp),
  sizeBytes: z.number().min(0).default(0),
  unreferencedAt: z.instanceof(Timestamp).optional(),
  deletingAt: z.instanceof(Timestamp).optional(),
  deletingBy: z.string().optional(),
});
export type CanvasMedia = z.infer<typeof canvasMediaSchema>;
