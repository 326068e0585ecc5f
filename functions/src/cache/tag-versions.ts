import type { Redis } from "@upstash/redis";
import { withTimeout } from "../shared/timeout";

import { redisKeys } from "./keys";

export const redisTimeoutMs = 150;

/** Invalidates every entry that depends on `tags` in O(1) per tag: one INCR each, in one
 *  pipelined request, whatever the number of cached keys. Throws if Redis does not confirm. */
export async function bumpTags(redis: Redis, tags: string[], timeoutMs = redisTimeoutMs * 4): Promise<void> {
  if (tags.length === 0) return;
  const pipeline = redis.pipeline();
  for (const tag of tags) pipeline.incr(redisKeys.tagVersion(tag));
  await withTimeout(pipeline.exec(), timeoutMs, "tag bump");
}
