import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { z } from "zod";
import { docId } from "../../shared/ids";
import { canvasMedia } from "./model";
import { onParamsClient } from "./store";

/** Image types an editor may upload. No SVG: it can carry script. */
export const uploadContentTypes = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/avif"] as const;
export const uploadUrlTtlSeconds = 15 * 60;
/** Uploads a user may have that no element refers to yet (the first reference confirms one). */
export const maxPendingUploads = 50;

export const createUploadInput = (maxBytes: number) =>
  z.strictObject({
    projectId: docId,
    contentType: z.enum(uploadContentTypes),
    sizeBytes: z.number().int().min(1).max(maxBytes),
  });
export type CreateUploadInput = z.infer<ReturnType<typeof createUploadInput>>;

/** What an upload needs from object storage; the S3 implementation is below. */
export interface UploadStore {
  /** A PUT URL valid for `expiresIn` s whose signature covers content type and length. */
  presignPut(path: string, contentType: string, sizeBytes: number, expiresIn: number): Promise<string>;
  /** The object's size and type (HEAD), or undefined if there is none. */
  stat(path: string): Promise<{ sizeBytes: number; contentType?: string } | undefined>;
}

/** `now` is the signing time (a seam for tests that compare signatures). */
export function s3UploadStore(client: S3Client, bucket: string, now = () => new Date()): UploadStore {
  return {
    presignPut: (path, contentType, sizeBytes, expiresIn) =>
      getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: path, ContentType: contentType, ContentLength: sizeBytes }), {
        expiresIn,
        signingDate: now(),
        // Signed headers: a PUT with another type or length does not match the signature.
        signableHeaders: new Set(["content-type", "content-length"]),
      }),
    async stat(path) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: path }));
        return { sizeBytes: head.ContentLength ?? -1, contentType: head.ContentType };
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
        throw error;
      }
    },
  };
}

/** The upload store of the deployed functions (params read on first use). */
export function uploadStoreFromParams(): UploadStore {
  const get = onParamsClient((client, bucket) => s3UploadStore(client, bucket));
  return { presignPut: (...args) => get().presignPut(...args), stat: (path) => get().stat(path) };
}

export interface CreatedUpload {
  mediaId: string;
  uploadUrl: string;
  expiresAt: string;
}

/**
 * Records a media file the owner is about to upload, and returns where to PUT it. The record
 * exists from now on with `referencedByCount: 0`, so an upload that is never used is
 * collected by collectCanvasMedia after the TTL like any unreferenced media (its HEAD then
 * finds nothing, or the object). The caller has checked that the project is the uid's.
 */
export async function createUpload(
  db: Firestore,
  store: UploadStore,
  uid: string,
  input: CreateUploadInput,
  now = Date.now(),
): Promise<CreatedUpload> {
  // A soft cap (two concurrent calls may both pass it): each pending upload may become an
  // object of up to the size cap, kept until the GC's TTL.
  const pending = await db.collection(canvasMedia).where("ownerUid", "==", uid).where("pendingUpload", "==", true).count().get();
  if (pending.data().count >= maxPendingUploads)
    throw new HttpsError(
      "resource-exhausted",
      `You have ${pending.data().count} uploads not yet used on a canvas; use or wait for them first.`,
    );
  const ref = db.collection(canvasMedia).doc();
  const storagePath = `canvas/${uid}/${ref.id}`;
  const expiresAt = now + uploadUrlTtlSeconds * 1000;
  const uploadUrl = await store.presignPut(storagePath, input.contentType, input.sizeBytes, uploadUrlTtlSeconds);
  await ref.create({
    storagePath,
    referencedByCount: 0,
    ownerUid: uid,
    projectId: input.projectId,
    contentType: input.contentType,
    sizeBytes: input.sizeBytes,
    createdAt: Timestamp.fromMillis(now),
    uploadExpiresAt: Timestamp.fromMillis(expiresAt),
    pendingUpload: true,
  });
  return { mediaId: ref.id, uploadUrl, expiresAt: new Date(expiresAt).toISOString() };
}

/** Whether the object of a media record is there as declared: the size and (when the record
 *  has one) the type it was presigned for. Stores that do not check the signed headers
 *  (s3rver does not verify V4 signatures) are held to the declaration here. */
export async function uploadMatches(store: UploadStore, media: { storagePath: string; sizeBytes?: number; contentType?: string }) {
  const object = await store.stat(media.storagePath);
  if (!object) return "missing" as const;
  if (media.sizeBytes !== undefined && object.sizeBytes !== media.sizeBytes) return "mismatch" as const;
  if (media.contentType !== undefined && object.contentType !== media.contentType) return "mismatch" as const;
  return "ok" as const;
}
