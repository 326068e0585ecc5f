import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of the cache, one function each. Error texts are cut (shared/log.ts): an
// Upstash error quotes the command it failed on, which can hold a whole cached value.

export interface MetricsWindow {
  hits: number;
  misses: number;
  staleVersionMisses: number;
  errors: number;
  loads: number;
  loadMsTotal: number;
}

/** The counters of one window (a number of calls or of seconds, whichever comes first). */
export function summary(window: MetricsWindow, calls: number, seconds: number): void {
  const served = window.hits + window.misses;
  logger.info("cache summary", {
    ...window,
    calls,
    windowSeconds: Math.round(seconds),
    hitRatio: served === 0 ? null : Number((window.hits / served).toFixed(3)),
    loadMsMean: window.loads === 0 ? null : Number((window.loadMsTotal / window.loads).toFixed(1)),
  });
}

/** Redis failed or was too slow; the caller got the loader's value. `suppressed` counts the
 *  errors since the previous warning (one warning per interval, not one per request). */
export function redisError(op: string, error: unknown, suppressed: number, key?: string): void {
  logger.warn("cache: Redis failed, serving from the loader", { op, key, ...errorFields(error), suppressed });
}

export function invalidationDeferred(tags: string[], error: unknown): void {
  logger.warn("cache invalidation deferred to the outbox", { tags, ...errorFields(error) });
}

export function caughtUp(replayed: number): void {
  logger.info("cache: Redis is back, outbox replayed before serving entries again", { replayed });
}

export function outboxReplayed(result: { replayed: number; ok: boolean }): void {
  if (result.ok) logger.info("cache invalidation outbox replayed", result);
  else logger.warn("cache invalidation outbox replay incomplete", result);
}

export function outboxCleanupFailed(entries: number, error: unknown): void {
  logger.warn("cache outbox entries bumped but not deleted; the replay will bump them again", { entries, ...errorFields(error) });
}
