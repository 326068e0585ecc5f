import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { onParamsClient } from "../canvas/media/store";
import { artImageBaseUrl } from "./config";
import { imageTypes, type ImageType } from "./providers/provider";

/** Where artworks' pictures go: the media S3 store (the canvas media bucket), under `art/`. */
export interface ArtImageStore {
  put(path: string, bytes: Buffer, contentType: ImageType): Promise<void>;
  delete(path: string): Promise<void>;
  /** The public URL of an object. */
  url(path: string): string;
}

/** One object per worker run (`art/{uid}/{requestId}/{worker}.png`): two runs of one request
 *  never write the same object, so the artwork's URL always answers the picture its
 *  transaction recorded, and the losing run deletes only its own. Objects never change, so
 *  they may be cached for good. */
export const artImagePath = (uid: string, requestId: string, worker: string, contentType: ImageType) =>
  `art/${uid}/${requestId}/${worker}.${imageTypes[contentType]}`;

export function s3ArtImageStore(client: S3Client, bucket: string, baseUrl: string): ArtImageStore {
  return {
    async put(path, bytes, contentType) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: path,
          Body: bytes,
          ContentType: contentType,
          CacheControl: "public, max-age=31536000, immutable",
        }),
      );
    },
    async delete(path) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: path }));
    },
    url: (path) => `${baseUrl.replace(/\/+$/, "")}/${path.split("/").map(encodeURIComponent).join("/")}`,
  };
}

/** The store of the deployed functions (params read on first use). */
export function artImageStoreFromParams(): ArtImageStore {
  const get = onParamsClient((client, bucket) => s3ArtImageStore(client, bucket, artImageBaseUrl.value()));
  return { put: (...args) => get().put(...args), delete: (path) => get().delete(path), url: (path) => get().url(path) };
}
