import { Redis } from "@upstash/redis";
import { Cache } from "../../src/cache/cache";
import { db } from "../../src/shared/firebase";

/** An @upstash/redis client on the test run's bridge (started by tools/stack). */
export function testRedis(): Redis {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) throw new Error("UPSTASH_REDIS_REST_URL/TOKEN are not set: run the tests with `npm test`");
  return new Redis({ url, token, enableAutoPipelining: true });
}

/** A Cache on the test run's bridge with a deadline for a loaded test machine (the lanes share
 *  two cores): a test of counts or freshness must not fail open because one request took 200 ms
 *  (production's deadline is redisTimeoutMs; the outage tests set theirs). */
export const testCache = (): Cache => new Cache({ redis: testRedis(), db: db(), timeoutMs: 2_000 });
