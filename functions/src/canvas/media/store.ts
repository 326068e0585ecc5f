import { DeleteObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { s3SettingsFromParams, type S3Settings } from "./config";

/** What garbage collection needs from object storage; tests wrap it. */
export interface MediaStore {
  /** Whether the object is there (HEAD). Throws on anything but a clear answer. */
  exists(path: string): Promise<boolean>;
  /** Sends DELETE. Throws when the store does not confirm: the object may be gone or not. */
  delete(path: string): Promise<void>;
}

/** An S3 client for an S3-compatible store (Zata, R2, MinIO, s3rver): path-style URLs,
 *  because these stores do not serve bucket subdomains on every endpoint. */
export function mediaS3Client(settings: S3Settings, options: { maxAttempts?: number } = {}): S3Client {
  return new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    maxAttempts: options.maxAttempts ?? 3,
    // SDK 3.729+ adds CRC32 trailers to uploads by default, which many S3-compatible
    // stores (and s3rver) reject; send checksums only where the API requires them.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // A hung store must fail the item, not eat the function's whole timeout.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
  });
}

const status = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * S3 DeleteObject answers 204 whether or not the key exists, so "gone" is asked with HEAD
 * (404). A HEAD response has no body, so a 404 for a missing bucket looks the same as one for
 * a missing key: the bucket is checked once (HeadBucket) before the first object, otherwise a
 * misconfigured MEDIA_BUCKET would read as "every object is gone" and drop every record.
 * (On AWS itself, HEAD of a missing key is 403 without s3:ListBucket: grant it.)
 */
export function s3MediaStore(client: S3Client, bucket: string): MediaStore {
  let bucketChecked: Promise<unknown> | undefined;
  const checkBucket = () =>
    (bucketChecked ??= client.send(new HeadBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      bucketChecked = undefined; // a transient failure is retried by the next item
      throw new Error(`media bucket ${bucket} is not reachable (${status(error) ?? String(error)})`);
    }));
  return {
    async exists(path) {
      await checkBucket();
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: path }));
        return true;
      } catch (error) {
        if (status(error) === 404) return false;
        throw error;
      }
    },
    async delete(path) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: path }));
      } catch (error) {
        // Some S3-compatible stores answer NoSuchKey where S3 answers 204.
        if ((error as Error).name !== "NoSuchKey") throw error;
      }
    },
  };
}

/** A store of the deployed functions on the params' S3 client, built on first use so that
 *  params and secrets are read at run time (never at module scope, where they have no value). */
export function onParamsClient<T>(build: (client: S3Client, bucket: string) => T): () => T {
  let built: T | undefined;
  return () => {
    if (built === undefined) {
      const settings = s3SettingsFromParams();
      built = build(mediaS3Client(settings), settings.bucket);
    }
    return built;
  };
}

export function mediaStoreFromParams(): MediaStore {
  const get = onParamsClient(s3MediaStore);
  return { exists: (path) => get().exists(path), delete: (path) => get().delete(path) };
}
