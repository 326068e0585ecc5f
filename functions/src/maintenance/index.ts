import { onCall } from "firebase-functions/https";
import { z } from "zod";
import { snapshotJob } from "../canvas/snapshot-job";
import { upstashToken } from "../config";
import { mediaGcJob, mediaSecrets, mediaStoreFromParams } from "../media";
import { parseInput, requireAdmin } from "../shared/callable";
import { db } from "../shared/firebase";
import { signupJob } from "../signup";
import { jobNames, type Job, type JobName } from "./job";
import { runJob } from "./run";

/** Every scheduled job by name, as the admin panel runs them on demand. */
const jobs: Record<JobName, () => Job> = {
  snapshotCanvasProjects: () => snapshotJob,
  collectCanvasMedia: () => mediaGcJob(mediaStoreFromParams()),
  refreshSignupImageCache: () => signupJob,
};

const runInput = z.strictObject({
  job: z.enum(jobNames),
  dryRun: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).optional(),
});

/** `runMaintenanceJob({ job, dryRun?, limit? })` (admin): runs a job now and returns its
 *  summary, recorded in maintenanceRuns like a scheduled run. */
export const runMaintenanceJob = onCall(
  { secrets: [upstashToken, ...mediaSecrets], timeoutSeconds: 540, memory: "1GiB" },
  async (request) => {
    requireAdmin(request);
    const { job, dryRun, limit } = parseInput(runInput, request.data);
    return runJob({ db: db(), now: Date.now }, job, jobs[job](), { dryRun, ...(limit === undefined ? {} : { limit }) });
  },
);
