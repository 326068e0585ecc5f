import { z } from "zod";
import { artRecoveryJob } from "../art/job";
import { mediaGcJob } from "../canvas/media/gc";
import { mediaStoreFromParams } from "../canvas/media/store";
import { snapshotJob } from "../canvas/snapshot-job";
import type { JobDefinition } from "../maintenance/job";
import { signupJob } from "../signup/job";

/** Every scheduled job an admin may run on demand, each from its domain's one definition. */
export function maintenanceJobs(): JobDefinition[] {
  return [snapshotJob, mediaGcJob(mediaStoreFromParams()), signupJob, artRecoveryJob];
}

export const jobNames = ["snapshotCanvasProjects", "collectCanvasMedia", "refreshSignupImageCache", "recoverArtRequests"] as const;

/** `runMaintenanceJob({ job, dryRun?, limit? })`. */
export const runJobInput = z.strictObject({
  job: z.enum(jobNames),
  dryRun: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).optional(),
});

/** `listMaintenanceRuns({ job?, limit? })`: the newest runs first. */
export const listRunsInput = z.strictObject({
  job: z.enum(jobNames).optional(),
  limit: z.number().int().min(1).max(50).default(20),
});
