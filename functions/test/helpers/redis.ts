import { Redis } from "@upstash/redis";

/** An @upstash/redis client on the test run's bridge (started by tools/stack). */
export function testRedis(): Redis {
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (!url || !token) throw new Error("UPSTASH_REDIS_REST_URL/TOKEN are not set: run the tests with `npm test`");
  return new Redis({ url, token, enableAutoPipelining: true });
}
