import { onSchedule } from "firebase-functions/scheduler";
import { db } from "../shared/firebase";
import type { JobDefinition } from "./job";
import { runJob } from "./run";

/** The scheduled trigger of a job, from its one definition. No platform retry: what failed
 *  stays for the next run (its record says what), and a retry storm helps nobody. */
export function scheduledJob(job: JobDefinition) {
  return onSchedule(
    {
      schedule: job.schedule,
      timeZone: job.timeZone,
      timeoutSeconds: job.timeoutSeconds,
      memory: job.memory,
      secrets: job.secrets,
      retryCount: 0,
    },
    async () => {
      await runJob({ db: db(), now: Date.now }, job, { dryRun: false });
    },
  );
}
