import { defineInt, defineString } from "firebase-functions/params";

// The deploy-time settings of canvas snapshots (defaults in functions/.env). Read inside
// handlers and jobs, never at module scope.

export const snapshotBatch = defineInt("CANVAS_SNAPSHOT_BATCH", {
  default: 50,
  description: "At most this many canvas projects are snapshotted per run",
});
export const snapshotTimeZone = defineString("CANVAS_SNAPSHOT_TIMEZONE", {
  default: "Etc/UTC",
  description: "Time zone of the snapshotCanvasProjects schedule",
});
export const snapshotTimeoutSeconds = defineInt("CANVAS_SNAPSHOT_TIMEOUT_SECONDS", {
  default: 540,
  description: "Timeout of one snapshotCanvasProjects run; it stops starting projects a minute before",
});

export interface CanvasSettings {
  batch: number;
  /** Projects started after this long are left for the next run (the cursor points there). */
  budgetMs: number;
}

/** An unset int param reads as 0: that is the case in tests and in callers outside the
 *  deployed functions, where the .env defaults are not loaded. */
export function canvasSettings(): CanvasSettings {
  const timeoutSeconds = snapshotTimeoutSeconds.value() || 540;
  return {
    batch: snapshotBatch.value() || 50,
    budgetMs: Math.max(60, timeoutSeconds - 60) * 1000,
  };
}
