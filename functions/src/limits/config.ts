import { defineBoolean } from "firebase-functions/params";
import { upstashToken } from "../cache/config";
import { intParam } from "../shared/params";

/**
 * What one caller may do, as params with the defaults a real platform would start with (the
 * capacity table in the README argues each). `npm start` runs with these; `npm test` raises the
 * per-user write and per-address read rates (its suites share a few users and one address) and
 * tests the limits themselves with their own identities (tools/stack/main.ts).
 */
export const limitSettings = {
  /** Calls of write callables (and stream opens) per user per minute, all together. */
  writesPerMinute: intParam("LIMIT_WRITES_PER_MINUTE", { default: 60, min: 1, description: "Write calls per user per minute" }),
  /** Comments per user per minute (each one notifies the item's owner). */
  commentsPerMinute: intParam("LIMIT_COMMENTS_PER_MINUTE", { default: 5, min: 1, description: "Comments per user per minute" }),
  /** Calls of a user's reads of their own data (pages, canvas loads) per minute, all together. */
  ownReadsPerMinute: intParam("LIMIT_OWN_READS_PER_MINUTE", {
    default: 300,
    min: 1,
    description: "Reads of one's own data per user per minute",
  }),
  /** Public HTTP reads per client address per minute, all endpoints together. */
  readsPerMinute: intParam("LIMIT_READS_PER_MINUTE", { default: 600, min: 1, description: "Public reads per client address per minute" }),
  /** watchArtSession streams one user may hold open at once. */
  streamsPerUser: intParam("LIMIT_STREAMS_PER_USER", { default: 2, min: 1, description: "Concurrent art session streams per user" }),
  /** Canvas projects one user may own. */
  projectsPerUser: intParam("LIMIT_PROJECTS_PER_USER", { default: 100, min: 1, description: "Canvas projects per user" }),
  /** Accounts one user may follow (a following-feed miss reads every edge). */
  followingPerUser: intParam("LIMIT_FOLLOWING_PER_USER", { default: 2000, min: 1, description: "Accounts a user may follow" }),
};

/** How long a limit check waits for Redis before it lets the call through: the cache's
 *  Redis deadline (src/cache/tag-versions.ts redisTimeoutMs), so a slow Redis costs a limited
 *  call no more than a cached read. */
export const limitTimeoutMs = intParam("LIMIT_REDIS_TIMEOUT_MS", {
  default: 150,
  min: 1,
  description: "Redis deadline of a limit check (ms)",
});

/** The apps' callables refuse a call without a valid App Check token when this is true. */
export const appCheckEnforced = defineBoolean("APP_CHECK_ENFORCED", {
  default: false,
  description: "Refuse the apps' callables without a valid App Check token",
});

/** What a function that counts calls must bind (the limits live in the cache's Redis). */
export const limitSecrets = [upstashToken];

/** The option the apps' callables take (not the admin panel's, which has no App Check): the
 *  platform refuses a call without a valid token with 401 UNAUTHENTICATED when the param is
 *  true (firebase-functions reads it when the function is defined, at instance start). */
export const appCheck = { enforceAppCheck: appCheckEnforced };
