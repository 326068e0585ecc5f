import { defineString } from "firebase-functions/params";
import { intParam } from "../shared/params";

// The deploy-time settings of canvas snapshots (defaults in functions/.env). Read inside
// handlers and jobs, never at module scope.

export const snapshotBatch = intParam("CANVAS_SNAPSHOT_BATCH", {
  default: 50,
  min: 1,
  description: "At most this many canvas projects are snapshotted per run",
});
export const snapshotTimeZone = defineString("CANVAS_SNAPSHOT_TIMEZONE", {
  default: "Etc/UTC",
  description: "Time zone of the snapshotCanvasProjects schedule",
});
export const snapshotTimeoutSeconds = intParam("CANVAS_SNAPSHOT_TIMEOUT_SECONDS", {
  default: 540,
  min: 120,
  description: "Timeout of one snapshotCanvasProjects run; it stops starting projects a minute before",
});

export interface CanvasSettings {
  batch: number;
  /** Projects started after this long are left for the next run (the cursor points there). */
  budgetMs: number;
}

export function canvasSettings(): CanvasSettings {
  return { batch: snapshotBatch.value(), budgetMs: (snapshotTimeoutSeconds.value() - 60) * 1000 };
}
