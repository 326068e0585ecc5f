import { S3Client } from "@aws-sdk/client-s3";
import { Timestamp } from "firebase-admin/firestore";
import { defaultArtTiming, type ArtDeps, type ArtSettings } from "../../src/art/deps";
import { s3ArtImageStore } from "../../src/art/images";
import { artworks } from "../../src/art/model";
import { localProvider } from "../../src/art/providers/local";
import type { ArtProvider } from "../../src/art/providers/provider";
import { redisStatuses } from "../../src/art/status";
import { Cache } from "../../src/cache/cache";
import { mediaS3Client } from "../../src/canvas/media/store";
import { userPath } from "../../src/people/model";
import { startS3Server, s3rverCredentials, type S3Server } from "../../tools/media/s3-server";
import { db } from "../helpers/firestore";
import { testRedis } from "../helpers/redis";
import { waitFor } from "../helpers/wait";
import { call, person, purchase, type Person } from "../people/harness";

export const bucket = "fresco-art-test";

/** A signed-in user with `credits` bought through the signed webhook. */
export async function artist(uid: string, credits = 10): Promise<Person> {
  const p = await person(uid);
  if (credits > 0) expect(await purchase(`art-${uid}-${Date.now()}`, uid, credits)).toBe(200);
  return p;
}

export const balanceOf = async (uid: string) => ((await db().doc(userPath(uid)).get()).get("credits") as number | undefined) ?? 0;

export type Status = { status: string; progress: number; stage: string; artworkId?: string; error?: string };
/** As nextArtworks and watchArtSession send it: `sessionId` and `uid` only on the caller's own. */
export type Artwork = { artworkId: string; sessionId?: string; uid?: string; imageUrl: string; prompt: string; createdAt: string };

/** Polls getProcessingStatus through the Functions emulator until the request ends. */
export async function untilEnded(who: Person, requestId: string, seen: string[] = []): Promise<Status> {
  return waitFor(
    async () => {
      const s = await call<Status>("getProcessingStatus", { requestId }, who);
      seen.push(s.status);
      return s.status === "done" || s.status === "failed" ? s : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `request ${requestId} to end` },
  );
}

export const startSession = async (who: Person, sessionId?: string) =>
  (await call<{ sessionId: string; resumed: boolean }>("startArtSession", sessionId ? { sessionId } : {}, who)).sessionId;

/** The library's deps on the run's real Firestore, Redis (through the Upstash bridge) and a
 *  local S3 store of the suite's own, with the local generator unless told. */
export function artTestDeps(
  s3: S3Server,
  options: { provider?: ArtProvider; settings?: Partial<ArtSettings>; now?: () => number } = {},
): ArtDeps {
  const client: S3Client = mediaS3Client({ endpoint: s3.url, region: "us-east-1", bucket, ...s3rverCredentials });
  const redis = testRedis();
  const provider = options.provider ?? localProvider(64);
  const now = options.now ?? Date.now;
  return {
    db: db(),
    cache: new Cache({ redis, db: db() }),
    now,
    statuses: redisStatuses(redis, now),
    images: s3ArtImageStore(client, bucket, `${s3.url}/${bucket}`),
    provider: () => provider,
    settings: { cost: 1, maxAttempts: 3, recoveryBatch: 100, ...defaultArtTiming, ...options.settings },
  };
}

export const startArtS3 = () => startS3Server(0, bucket);

/** Artworks written straight to Firestore (the pool), `ageMs` old each, by `uid`. */
export async function seedArtworks(uid: string, ids: string[], ageMs: (i: number) => number, now = Date.now()): Promise<void> {
  const writer = db().bulkWriter();
  ids.forEach(
    (id, i) =>
      void writer.set(db().collection(artworks).doc(id), {
        uid,
        sessionId: `seed-${uid}`,
        requestId: id,
        imageUrl: `https://img.test/${id}.png`,
        storagePath: `art/${uid}/${id}/seed.png`,
        prompt: `seed ${i}`,
        provider: "seed",
        contentType: "image/png",
        width: 64,
        height: 64,
        createdAt: Timestamp.fromMillis(now - ageMs(i)),
      }),
  );
  await writer.close();
}
