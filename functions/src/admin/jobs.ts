import { z } from "zod";

// The jobs themselves (job-registry.ts) load the S3 SDK and the art pipeline: only
// runMaintenanceJob loads them, when it runs one.
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
