import * as logs from "./logs";

export type CacheCounters = logs.MetricsWindow;

const zero = (): CacheCounters => ({ hits: 0, misses: 0, staleVersionMisses: 0, errors: 0, loads: 0, loadMsTotal: 0 });

/** Counters since the process started, plus a window that is logged as one summary line
 *  every `everyCalls` calls or `everyMs` ms (checked on calls: no timer keeps an idle
 *  instance awake). A log line per call would cost more than the cache saves. */
export class CacheMetrics {
  private totals = zero();
  private window = zero();
  private calls = 0;
  private windowStart: number;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private suppressedWarnings = 0;

  constructor(
    private readonly now: () => number,
    private readonly everyCalls = 1000,
    private readonly everyMs = 60_000,
    private readonly warnEveryMs = 10_000,
    /** Receives each closed window (the cache adds it to the shared counters in Redis). */
    private readonly onWindow: (window: CacheCounters) => void = () => undefined,
  ) {
    this.windowStart = now();
  }

  add(field: keyof CacheCounters, amount = 1): void {
    this.totals[field] += amount;
    this.window[field] += amount;
  }

  /** One getOrLoad call; logs and resets the window when it is full. */
  call(): void {
    this.calls += 1;
    const elapsed = this.now() - this.windowStart;
    if (this.calls < this.everyCalls && elapsed < this.everyMs) return;
    logs.summary(this.window, this.calls, elapsed / 1000);
    this.onWindow(this.window);
    this.window = zero();
    this.calls = 0;
    this.windowStart = this.now();
  }

  /** Counts a Redis error; warns at most once per interval, with the number left unlogged. */
  error(op: string, error: unknown, key?: string): void {
    this.add("errors");
    const now = this.now();
    if (now - this.lastWarnAt < this.warnEveryMs) {
      this.suppressedWarnings += 1;
      return;
    }
    logs.redisError(op, error, this.suppressedWarnings, key);
    this.lastWarnAt = now;
    this.suppressedWarnings = 0;
  }

  snapshot(): CacheCounters {
    return { ...this.totals };
  }
}
