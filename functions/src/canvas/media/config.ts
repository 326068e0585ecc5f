import { defineSecret, defineString } from "firebase-functions/params";
import { intParam } from "../../shared/params";

// Settings of the canvas media bucket and its garbage collection. Defaults live in
// functions/.env (overridden per project by .env.<projectId>); read inside handlers only.

export const mediaBucket = defineString("MEDIA_BUCKET", { default: "fresco-media", description: "Bucket holding canvas media" });
export const mediaEndpoint = defineString("MEDIA_S3_ENDPOINT", { description: "S3 API endpoint of the media store (Zata, R2, MinIO)" });
export const mediaRegion = defineString("MEDIA_S3_REGION", { default: "us-east-1", description: "Region to sign S3 requests for" });
export const mediaAccessKeyId = defineSecret("MEDIA_S3_ACCESS_KEY_ID");
export const mediaSecretAccessKey = defineSecret("MEDIA_S3_SECRET_ACCESS_KEY");
/** Bind these to every function that touches the media store. */
export const mediaSecrets = [mediaAccessKeyId, mediaSecretAccessKey];

export const mediaTtlDays = intParam("CANVAS_MEDIA_TTL_DAYS", {
  default: 30,
  min: 1,
  description: "Unreferenced media older than this many days is deleted",
});
export const mediaBatch = intParam("CANVAS_MEDIA_BATCH", {
  default: 100,
  min: 1,
  description: "Media deleted per collectCanvasMedia run at most",
});
export const mediaGcTimeZone = defineString("CANVAS_MEDIA_GC_TIMEZONE", {
  default: "Etc/UTC",
  description: "Time zone of the daily 03:00 run",
});
export const mediaGcTimeoutSeconds = intParam("CANVAS_MEDIA_GC_TIMEOUT_SECONDS", {
  default: 540,
  min: 60,
  description: "Timeout of one collectCanvasMedia run",
});

export interface S3Settings {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function s3SettingsFromParams(): S3Settings {
  return {
    endpoint: mediaEndpoint.value(),
    region: mediaRegion.value(),
    bucket: mediaBucket.value(),
    accessKeyId: mediaAccessKeyId.value(),
    secretAccessKey: mediaSecretAccessKey.value(),
  };
}

export const mediaMaxUploadBytes = intParam("CANVAS_MEDIA_MAX_UPLOAD_BYTES", {
  default: 20 * 1024 * 1024,
  min: 1,
  description: "Largest canvas media file a presigned upload accepts, in bytes",
});
