import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Timestamp } from "firebase-admin/firestore";
import type { S3Settings } from "../../../src/canvas/media/config";
import { canvasMedia } from "../../../src/canvas/media/model";
import { mediaS3Client, s3MediaStore, type MediaStore } from "../../../src/canvas/media/store";
import { db } from "../../../src/shared/firebase";
import { startS3Server, s3rverCredentials } from "../../../tools/media/s3-server";
import { dayMs } from "../../helpers/clock";

export const bucket = "fresco-media-test";

export interface S3Server {
  settings: S3Settings;
  client: S3Client;
  store: MediaStore;
  /** Stops the server only (the client stays): the store then fails like one that is down. */
  closeServer(): Promise<void>;
  stop(): Promise<void>;
}

/** The stack's S3 launcher on a free loopback port, and an AWS SDK client for it;
 *  `stop()` closes both and removes its files. */
export async function startS3(options: { maxAttempts?: number } = {}): Promise<S3Server> {
  const server = await startS3Server(0, bucket);
  const settings = { endpoint: server.url, region: "us-east-1", bucket, ...s3rverCredentials };
  const client = mediaS3Client(settings, options);
  return {
    settings,
    client,
    store: s3MediaStore(client, bucket),
    closeServer: server.closeServer,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

export const mediaRef = (id: string) => db().collection(canvasMedia).doc(id);
export const pathOf = (id: string) => `media/u1/${id}.png`;

/** A canvasMedia record `ageDays` old and, unless `object: false`, its object in s3rver. */
export async function seedMedia(
  s3: S3Server,
  id: string,
  now: number,
  fields: { ageDays?: number; referencedByCount?: number; sizeBytes?: number; object?: boolean; extra?: Record<string, unknown> } = {},
): Promise<void> {
  const { ageDays = 40, referencedByCount = 0, sizeBytes = 1000 + id.length, object = true, extra = {} } = fields;
  await mediaRef(id).set({
    storagePath: pathOf(id),
    referencedByCount,
    ownerUid: "u1",
    createdAt: Timestamp.fromMillis(now - ageDays * dayMs),
    sizeBytes,
    ...extra,
  });
  if (object) await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: pathOf(id), Body: Buffer.alloc(sizeBytes, 7) }));
}

export async function objectExists(s3: S3Server, id: string): Promise<boolean> {
  try {
    await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: pathOf(id) }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

export async function recordOf(id: string) {
  return (await mediaRef(id).get()).data();
}

/** Wraps a store: counts HEADs and DELETEs per path and runs `before` ahead of each HEAD;
 *  DELETEs go through `onDelete` (default: the real store's). */
export function wrapStore(
  inner: MediaStore,
  before: (path: string, call: number) => Promise<void> | void = () => undefined,
  onDelete: (path: string) => Promise<void> = (path) => inner.delete(path),
) {
  const calls = new Map<string, number>();
  const deletes = new Map<string, number>();
  let total = 0;
  const store: MediaStore = {
    async exists(path) {
      calls.set(path, (calls.get(path) ?? 0) + 1);
      await before(path, ++total);
      return inner.exists(path);
    },
    async delete(path) {
      deletes.set(path, (deletes.get(path) ?? 0) + 1);
      return onDelete(path);
    },
  };
  return { store, calls, deletes };
}
