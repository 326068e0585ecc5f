import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { redisKeys } from "../cache/keys";
import * as logs from "./logs";

/**
 * Rate limits on @upstash/ratelimit: fixed windows of one minute, so a count under a limit is
 * exact and a window's last refusal says when the next call is accepted. Its `timeout` is the
 * cache's Redis deadline: a limit that cannot be checked in time passes the call (and logs
 * it), as the cache fails open; an error does the same. Analytics and `enableProtection` stay
 * off (they fetch lists from the internet and run scripts without key locking). The
 * ephemeral cache keeps refused identities in the instance until their window resets, so a
 * flood from one caller costs no Redis command after its first refusal.
 */
export type RateKind = "write" | "comment" | "read" | "own";

export interface RateDeps {
  redis: Redis;
  /** How long a check may wait for Redis before it passes the call. */
  timeoutMs: number;
}

export interface RateVerdict {
  allowed: boolean;
  /** When refused: seconds until the window resets. */
  retryAfterSeconds: number;
}

const limiters = new WeakMap<Redis, Map<string, Ratelimit>>();
/** Limiters that have had Redis answer once in this instance (the first call sets up TLS and
 *  loads the script: it gets the cache's first-call deadline, src/cache/cache.ts). */
const warmed = new WeakSet<Ratelimit>();
export const firstCheckTimeoutMs = 1_000;

function limiterFor(deps: RateDeps, kind: RateKind, perMinute: number, timeoutMs: number): Ratelimit {
  const byKey = limiters.get(deps.redis) ?? new Map<string, Ratelimit>();
  limiters.set(deps.redis, byKey);
  const key = `${kind}:${perMinute}:${timeoutMs}`;
  let limiter = byKey.get(key);
  if (!limiter) {
    limiter = new Ratelimit({
      redis: deps.redis,
      limiter: Ratelimit.fixedWindow(perMinute, "60 s"),
      prefix: redisKeys.rateLimit(kind),
      analytics: false,
      enableProtection: false,
      timeout: timeoutMs,
      ephemeralCache: new Map(),
    });
    byKey.set(key, limiter);
  }
  return limiter;
}

/** Counts one call of `identity` against `perMinute`. */
export async function takeRate(deps: RateDeps, kind: RateKind, identity: string, perMinute: number): Promise<RateVerdict> {
  try {
    const warm = limiterFor(deps, kind, perMinute, deps.timeoutMs);
    const limiter = warmed.has(warm) ? warm : limiterFor(deps, kind, perMinute, Math.max(deps.timeoutMs, firstCheckTimeoutMs));
    const result = await limiter.limit(identity);
    if (result.reason === "timeout") logs.failedOpen(kind, new Error(`no answer from Redis in time`));
    else warmed.add(warm);
    if (result.success) return { allowed: true, retryAfterSeconds: 0 };
    const retryAfterSeconds = Math.max(1, Math.ceil((result.reset - Date.now()) / 1000));
    logs.refused(kind, identity, retryAfterSeconds);
    return { allowed: false, retryAfterSeconds };
  } catch (error) {
    logs.failedOpen(kind, error);
    return { allowed: true, retryAfterSeconds: 0 };
  }
}
