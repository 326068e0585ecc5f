import type { Redis } from "@upstash/redis";
import { redis } from "../cache/redis";
import { peopleDeps } from "../people/runtime";
import { artCredits, artMaxAttempts, artRecoveryBatch, providerFromParams } from "./config";
import { defaultArtTiming, type ArtDeps } from "./deps";
import type { ArtImageStore } from "./images";
import { redisStatuses, type ProcessingStatuses } from "./status";

const statuses = new WeakMap<Redis, ProcessingStatuses>();
let images: ArtImageStore | undefined;
/** The art bucket, made when the worker first stores a picture: it loads the S3 SDK, which the
 *  art callables that only read never need. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
const imageStore = () => (images ??= (require("./images") as typeof import("./images")).artImageStoreFromParams());

/** The deployed functions' dependencies (params are read here, at run time). */
export function artDeps(): ArtDeps {
  const client = redis();
  if (!statuses.has(client)) statuses.set(client, redisStatuses(client));
  return {
    ...peopleDeps(),
    now: Date.now,
    statuses: statuses.get(client)!,
    get images() {
      return imageStore();
    },
    provider: providerFromParams,
    settings: {
      cost: artCredits.value(),
      maxAttempts: artMaxAttempts.value(),
      recoveryBatch: artRecoveryBatch.value(),
      ...defaultArtTiming,
    },
  };
}
