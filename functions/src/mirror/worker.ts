import * as logger from "firebase-functions/logger";
import { claimBatch } from "./claim";
import type { MirrorDeps } from "./deps";
import { processClaimed } from "./process";

export interface WorkerOptions {
  /** Wait between polls while there is work. */
  pollMs: number;
  batchSize: number;
  /** Tasks applied at once. */
  concurrency: number;
  /** The wait doubles from pollMs up to this while the queue stays empty. */
  maxIdleMs: number;
  /** Poll again at once after a full batch instead of waiting pollMs. */
  eagerWhenFull: boolean;
}

/** The seed system's defaults, kept as the baseline of the benchmark. */
export const seedWorkerOptions: WorkerOptions = { pollMs: 2500, batchSize: 12, concurrency: 4, maxIdleMs: 15_000, eagerWhenFull: false };
/** Fresco's defaults: large batches, many in flight, no pause while there is a backlog. */
export const frescoWorkerOptions: WorkerOptions = { pollMs: 2500, batchSize: 100, concurrency: 32, maxIdleMs: 15_000, eagerWhenFull: true };

/** A polling worker for self-hosting and catch-up. `stop()` lets the current batch finish. */
export class MirrorWorker {
  private stopping = false;
  private wake: (() => void) | undefined;
  processed = 0;

  constructor(private readonly deps: MirrorDeps, private readonly options: WorkerOptions) {}

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    let idleMs = this.options.pollMs;
    while (!this.stopping) {
      let claimed = 0;
      try {
        const tasks = await claimBatch(this.deps, this.options.batchSize);
        claimed = tasks.length;
        if (claimed > 0) await processClaimed(this.deps, tasks, this.options.concurrency);
        this.processed += claimed;
      } catch (error) {
        // A claim that failed left its tasks unclaimed; a crash mid-batch leaves leases that expire.
        logger.error("mirror worker poll failed", { workerId: this.deps.workerId, error: String(error) });
      }
      if (claimed === this.options.batchSize && this.options.eagerWhenFull) continue;
      if (claimed > 0) {
        idleMs = this.options.pollMs;
        await this.sleep(this.options.pollMs);
      } else {
        await this.sleep(idleMs);
        idleMs = Math.min(idleMs * 2, this.options.maxIdleMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
