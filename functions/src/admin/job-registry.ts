import { artRecoveryJob } from "../art/job";
import { mediaGcJob } from "../canvas/media/gc";
import { mediaStoreFromParams } from "../canvas/media/store";
import { snapshotJob } from "../canvas/snapshot-job";
import type { JobDefinition } from "../maintenance/job";
import { signupJob } from "../signup/job";

/** Every scheduled job an admin may run on demand, each from its domain's one definition.
 *  Imported by runMaintenanceJob when it runs (admin/handlers.ts), so the admin panel's other
 *  callables load neither the S3 SDK nor the art pipeline. */
export function maintenanceJobs(): JobDefinition[] {
  return [snapshotJob, mediaGcJob(mediaStoreFromParams()), signupJob, artRecoveryJob];
}
