import { onCall } from "firebase-functions/https";
import { scheduledJob } from "../maintenance/schedule";
import { parseInput, requireUser } from "../shared/callable";
import { db } from "../shared/firebase";
import { loadCanvasInput, loadCanvasProject as load } from "./load";
import { snapshotJob } from "./snapshot-job";

// Wiring only: the logic is in snapshot-job.ts, snapshot.ts and load.ts.

export const snapshotCanvasProjects = scheduledJob(snapshotJob);

/** A large project is rebuilt in memory and returned whole. */
export const loadCanvasProject = onCall({ memory: "1GiB" }, async (request) => {
  const uid = requireUser(request);
  return load(db(), uid, parseInput(loadCanvasInput, request.data));
});
