import { onSchedule } from "firebase-functions/scheduler";
import { upstashToken } from "../config";
import { redis } from "../redis/client";
import { db } from "../shared/firebase";
import { Cache } from "./cache";
import * as logs from "./logs";

export { Cache, type CacheDeps } from "./cache";
export { entryKey, families, type CacheFamily } from "./registry";

let shared: Cache | undefined;

/** The instance's cache, built on first use (params are only readable at run time). One per
 *  instance, so concurrent requests share its single-flight map and its outage state. */
export function cache(): Cache {
  shared ??= new Cache({ redis: redis(), db: db() });
  return shared;
}

/** Bumps what the outbox still holds: invalidations that Redis could not confirm when they
 *  happened, in any instance, including ones that never talk to Redis again. */
export const replayCacheInvalidations = onSchedule(
  { schedule: "every 1 minutes", timeZone: "Etc/UTC", secrets: [upstashToken], retryCount: 0 },
  async () => {
    logs.outboxReplayed(await cache().replayOutbox());
  },
);
