import type { Redis } from "@upstash/redis";
import { redis } from "../cache/redis";
import { peopleDeps } from "../people/runtime";
import { artCredits, artMaxAttempts, artRecoveryBatch, providerFromParams } from "./config";
import { defaultArtTiming, type ArtDeps } from "./deps";
import { artImageStoreFromParams } from "./images";
import { redisStatuses, type ProcessingStatuses } from "./status";

const statuses = new WeakMap<Redis, ProcessingStatuses>();
const images = artImageStoreFromParams();

/** The deployed functions' dependencies (params are read here, at run time). */
export function artDeps(): ArtDeps {
  const client = redis();
  if (!statuses.has(client)) statuses.set(client, redisStatuses(client));
  return {
    ...peopleDeps(),
    now: Date.now,
    statuses: statuses.get(client)!,
    images,
    provider: providerFromParams,
    settings: {
      cost: artCredits.value(),
      maxAttempts: artMaxAttempts.value(),
      recoveryBatch: artRecoveryBatch.value(),
      ...defaultArtTiming,
    },
  };
}
