import type { Firestore } from "firebase-admin/firestore";
import type { Expression, SecretParam } from "firebase-functions/params";

export interface JobOptions {
  dryRun: boolean;
  /** At most this many items this run (the job's batch size when absent). */
  limit?: number;
}

/** What one run of a job did. `counts` names are the job's own (e.g. snapshotted, deleted,
 *  bytesFreed); `errors` lists the items that failed, which never stop the run. */
export interface JobResult {
  counts: Record<string, number>;
  errors: Array<{ id: string; error: string }>;
  /** Where the next run continues (null: the job reached the end and starts over). */
  cursor?: string | null;
  /** Dry runs say what they would have done. */
  planned?: string[];
}

export interface JobDeps {
  db: Firestore;
  now: () => number;
}

export type Job = (deps: JobDeps, options: JobOptions) => Promise<JobResult>;

/** A scheduled job, defined once by the domain that owns it: the scheduled trigger and the
 *  admin's `runMaintenanceJob` are both derived from this. */
export interface JobDefinition {
  name: string;
  /** unix-cron (Cloud Scheduler accepts it, and so does the local scheduler of `npm start`);
   *  `onSchedule` takes a plain string here, not a param. */
  schedule: string;
  timeZone: string | Expression<string>;
  timeoutSeconds: number | Expression<number>;
  memory: "256MiB" | "512MiB" | "1GiB";
  secrets: SecretParam[];
  run: Job;
}
