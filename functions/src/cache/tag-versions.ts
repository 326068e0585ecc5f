import type { Redis } from "@upstash/redis";
import { withTimeout } from "../shared/timeout";
import { bumpScript } from "./entry";
import { redisKeys } from "./keys";
import { scriptOn } from "./lua";
import { families } from "./map";

export const redisTimeoutMs = 150;

/** How long a tag's version counter lives after it is created or an entry is stored under it:
 *  twice the entry's TTL, so a live entry never outlives the counter it is checked against.
 *  A counter created by a bump, with no entry yet, gets twice the longest family TTL. */
export const counterTtlMs = (entryTtlMs: number) => 2 * entryTtlMs;
export const longestTtlMs = (ttlScale = 1) => Math.max(...Object.values(families).map((f) => f.ttlSeconds)) * 1100 * ttlScale;

const scripts = new WeakMap<Redis, ReturnType<typeof scriptOn>>();

/** Invalidates every entry that depends on `tags` in O(1) per tag: one script, in one
 *  request, whatever the number of cached keys. Throws if Redis does not confirm. */
export async function bumpTags(redis: Redis, tags: string[], timeoutMs = redisTimeoutMs * 4, ttlScale = 1): Promise<void> {
  if (tags.length === 0) return;
  let script = scripts.get(redis);
  if (!script) scripts.set(redis, (script = scriptOn(redis, bumpScript)));
  await withTimeout(
    script.exec(tags.map(redisKeys.tagVersion), [String(Math.round(counterTtlMs(longestTtlMs(ttlScale))))]),
    timeoutMs,
    "tag bump",
  );
}
