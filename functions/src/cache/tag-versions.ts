import type { Redis } from "@upstash/redis";
import { withTimeout } from "../shared/timeout";

/** Redis key of a tag's version counter. Tag versions never expire: an entry stored under
 *  an older version must stay recognisably old for as long as it lives. (A counter the cache
 *  finds missing is created at the current time in ms, not 0: see initVersionsScript.) */
export const tagVersionKey = (tag: string) => `fresco:tagv:${tag}`;

export const redisTimeoutMs = 150;

/** Invalidates every entry that depends on `tags` in O(1) per tag: one INCR each, in one
 *  pipelined request, whatever the number of cached keys. Throws if Redis does not confirm. */
export async function bumpTags(redis: Redis, tags: string[], timeoutMs = redisTimeoutMs * 4): Promise<void> {
  if (tags.length === 0) return;
  const pipeline = redis.pipeline();
  for (const tag of tags) pipeline.incr(tagVersionKey(tag));
  await withTimeout(pipeline.exec(), timeoutMs, "tag bump");
}
