import * as logger from "firebase-functions/logger";
import type { Timestamp } from "firebase-admin/firestore";
import { findDue, findDueTasks, type Candidate } from "./claim";
import type { MirrorDeps } from "./deps";
import { batchesOf, defaultTasksPerTransaction, processBatch, processCandidates, type Processed } from "./process";
import { flushInvalidations } from "../cache/outbox";
import { errorFields } from "../shared/log";

export interface WorkerOptions {
  /** Wait between polls while there is work (batch mode). */
  pollMs: number;
  batchSize: number;
  /** Transactions in flight (the lanes, when pipelined). */
  concurrency: number;
  /** The wait doubles from pollMs up to this while the queue stays empty. */
  maxIdleMs: number;
  /** Pipelined: lanes pull tasks continuously and the next batch is fetched while the
   *  current one runs, instead of fetch, process all, pause. */
  pipelined: boolean;
  /** Tasks of distinct items applied in one transaction (see takeAndApplyMany). */
  tasksPerTransaction: number;
  /** Pipelined: the tags of finished tasks are bumped (and their outbox entries deleted)
   *  once this many wait, or this often. */
  flushBatch: number;
  flushEveryMs: number;
}

/** The seed system's defaults, kept as the baseline of the benchmark (one task per
 *  transaction; its loop flushes after each batch, so the flush settings are not used). */
export const seedWorkerOptions: WorkerOptions = {
  pollMs: 2500,
  batchSize: 12,
  concurrency: 4,
  maxIdleMs: 15_000,
  pipelined: false,
  tasksPerTransaction: 1,
  flushBatch: 12,
  flushEveryMs: 2500,
};
/** Fresco's defaults, the best configuration measured by `npm run bench:mirror`. */
export const frescoWorkerOptions: WorkerOptions = {
  pollMs: 2500,
  batchSize: 1536,
  concurrency: 64,
  maxIdleMs: 15_000,
  pipelined: true,
  tasksPerTransaction: defaultTasksPerTransaction,
  flushBatch: 500,
  flushEveryMs: 1000,
};

/** A polling worker for self-hosting and catch-up. Several may run at once: each task is
 *  taken and applied inside one transaction (with up to `tasksPerTransaction` tasks of
 *  other items). `stop()` lets the tasks in hand finish. */
export class MirrorWorker {
  private stopping = false;
  private wake: (() => void) | undefined;
  private idleMs: number;
  private readonly buffer: Candidate[] = [];
  private readonly inHand = new Set<string>();
  /** Recently finished ids: a query that started before they committed may still list them. */
  private readonly recent = new Set<string>();
  /** Where the last query's pending tasks ended: the next one reads on from there, so it
   *  never reads again the tasks in hand. Cleared when the backlog runs out, so a pass
   *  from the start picks up whatever was left behind. */
  private pendingAfter: { createdAt: Timestamp; id: string } | undefined;
  private refilling: Promise<number> | undefined;
  private idling: Promise<void> | undefined;
  private unflushed: Processed[] = [];
  processed = 0;

  constructor(
    private readonly deps: MirrorDeps,
    private readonly options: WorkerOptions,
  ) {
    this.idleMs = options.pollMs;
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  run(): Promise<void> {
    return this.options.pipelined ? this.runPipelined() : this.runBatches();
  }

  /** Fetch a batch, process it all, pause: the seed system's loop. */
  private async runBatches(): Promise<void> {
    while (!this.stopping) {
      let found = 0;
      try {
        const tasks = await findDue(this.deps, this.options.batchSize);
        found = tasks.length;
        if (found > 0) await processCandidates(this.deps, tasks, this.options.concurrency, this.options.tasksPerTransaction);
        this.processed += found;
      } catch (error) {
        // Each task commits whole or not at all: a failed poll leaves nothing half done.
        logger.error("mirror worker poll failed", { workerId: this.deps.workerId, ...errorFields(error) });
      }
      await this.pause(found > 0);
    }
  }

  private async runPipelined(): Promise<void> {
    const flusher = setInterval(() => void this.flush(), this.options.flushEveryMs);
    try {
      await Promise.all(Array.from({ length: this.options.concurrency }, () => this.lane()));
    } finally {
      clearInterval(flusher);
      await this.flush();
    }
  }

  private async lane(): Promise<void> {
    for (let batch = await this.next(); batch.length > 0; batch = await this.next()) {
      for (const task of batch) this.inHand.add(task.id);
      try {
        for (const result of await processBatch(this.deps, batch)) {
          if (result.tags.length > 0) this.unflushed.push(result);
          this.processed++;
        }
        if (this.unflushed.length >= this.options.flushBatch) void this.flush();
      } catch (error) {
        logger.error("mirror worker batch failed", {
          workerId: this.deps.workerId,
          taskIds: batch.map((t) => t.id),
          ...errorFields(error),
        });
      } finally {
        for (const task of batch) {
          this.inHand.delete(task.id);
          this.remember(task.id);
        }
      }
    }
  }

  /** The next tasks for a lane: up to `tasksPerTransaction` of distinct items (a task of an
   *  item already in this batch waits in the buffer for a later one). */
  private async next(): Promise<Candidate[]> {
    const size = this.options.tasksPerTransaction;
    while (!this.stopping) {
      const batch = batchesOf(this.buffer.slice(0, size * 4), size)[0] ?? [];
      if (batch.length > 0) {
        const taken = new Set(batch);
        this.buffer.splice(0, this.buffer.length, ...this.buffer.filter((t) => !taken.has(t)));
        if (this.buffer.length < this.options.batchSize / 2) void this.refill();
        return batch;
      }
      if ((await this.refill()) === 0 && this.buffer.length === 0) await this.idle();
    }
    return [];
  }

  /** One query at a time, shared by every lane. */
  private refill(): Promise<number> {
    this.refilling ??= (async () => {
      try {
        const skip = new Set([...this.inHand, ...this.recent, ...this.buffer.map((t) => t.id)]);
        const { candidates: found, pendingExhausted } = await findDueTasks(
          this.deps,
          this.options.batchSize,
          this.pendingAfter ? { pendingAfter: this.pendingAfter } : {},
          skip,
        );
        const lastPending = found.filter((c) => c.createdAt).pop();
        this.pendingAfter = pendingExhausted
          ? undefined
          : lastPending
            ? { createdAt: lastPending.createdAt!, id: lastPending.id }
            : this.pendingAfter;
        this.buffer.push(...found);
        if (found.length > 0) this.idleMs = this.options.pollMs;
        return found.length;
      } catch (error) {
        logger.error("mirror worker poll failed", { workerId: this.deps.workerId, ...errorFields(error) });
        return 0;
      } finally {
        this.refilling = undefined;
      }
    })();
    return this.refilling;
  }

  /** One idle wait shared by every lane, so the backoff doubles once per empty poll. */
  private idle(): Promise<void> {
    this.idling ??= this.pause(false).finally(() => (this.idling = undefined));
    return this.idling;
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size > this.options.batchSize * 4) this.recent.delete(this.recent.values().next().value!);
  }

  /** Bumps the collected tags in one request; a failure leaves them in the outbox. */
  private async flush(): Promise<void> {
    const entries = this.unflushed;
    this.unflushed = [];
    await flushInvalidations(this.deps.db, this.deps.invalidate, entries).catch((error: unknown) =>
      logger.warn("mirror worker flush failed; the outbox keeps the tags", { ...errorFields(error) }),
    );
  }

  /** After work: pollMs (batch mode). Empty queue: the idle wait, doubling up to maxIdleMs. */
  private async pause(hadWork: boolean): Promise<void> {
    if (hadWork) {
      this.idleMs = this.options.pollMs;
      return this.sleep(this.options.pollMs);
    }
    const wait = this.idleMs;
    this.idleMs = Math.min(this.idleMs * 2, this.options.maxIdleMs);
    return this.sleep(wait);
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const previous = this.wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        previous?.();
        done();
      };
    });
  }
}
