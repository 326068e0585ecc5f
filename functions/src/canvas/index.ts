import { onCall, HttpsError } from "firebase-functions/https";
import { onSchedule } from "firebase-functions/scheduler";
import { runJob } from "../maintenance/run";
import { parseInput } from "../shared/callable";
import { db } from "../shared/firebase";
import { snapshotTimeoutSeconds, snapshotTimeZone } from "./config";
import { loadCanvasInput, loadCanvasProject as load } from "./load";
import { snapshotJob } from "./snapshot-job";

// Wiring only: the logic is in snapshot-job.ts, snapshot.ts and load.ts.

/** No platform retry: a failed project is retried by the next run (it stays due). */
export const snapshotCanvasProjects = onSchedule(
  { schedule: "every 6 hours", timeZone: snapshotTimeZone, timeoutSeconds: snapshotTimeoutSeconds, memory: "1GiB", retryCount: 0 },
  async () => {
    await runJob({ db: db(), now: Date.now }, "snapshotCanvasProjects", snapshotJob, { dryRun: false });
  },
);

/** A large project is rebuilt in memory and returned whole. */
export const loadCanvasProject = onCall({ memory: "1GiB" }, async (request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in to load a canvas project.");
  const input = parseInput(loadCanvasInput, request.data);
  return load(db(), request.auth.uid, input);
});
