import type { Firestore } from "firebase-admin/firestore";

/** The points a test may inject a crash (InjectedCrash: nothing after it runs) or a failure
 *  (any other error) at, between the steps of processing a task. */
export type Step = "claimed" | "applied" | "invalidated" | "recording-failure";

/** What the processing core needs; tests swap the clock, the invalidator and crash hooks. */
export interface MirrorDeps {
  db: Firestore;
  /** Identifies this processor in leases, so only the lease holder can finish a task. */
  workerId: string;
  leaseMs: number;
  now: () => number;
  /** Tells the cache layer which tags changed. Throws when it could not (outbox keeps them). */
  invalidate: (tags: string[]) => Promise<void>;
  /** Test hook: called after each step; throwing there simulates a crash at that line
   *  (InjectedCrash) or a failure of that step (any other error). */
  afterStep?: (step: Step, taskId: string) => void;
}

export const defaultLeaseMs = 60_000;
