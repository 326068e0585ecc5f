import { onCall } from "firebase-functions/https";
import { scheduledJob } from "../maintenance/schedule";
import { applyOpsHandler, createMediaUploadHandler, createProjectHandler, loadProjectHandler } from "./handlers";
import { mediaSecrets } from "./media/config";
import { snapshotJob } from "./snapshot-job";

// Wiring only: the logic is in handlers.ts, ops.ts, load.ts and the snapshot modules.

export const snapshotCanvasProjects = scheduledJob(snapshotJob);

export const createCanvasProject = onCall(createProjectHandler);
/** Media references are confirmed with a HEAD on the media store. */
export const applyCanvasOps = onCall({ secrets: mediaSecrets, memory: "512MiB" }, applyOpsHandler);
export const createCanvasMediaUpload = onCall({ secrets: mediaSecrets }, createMediaUploadHandler);
/** A page holds up to ~5 MB of elements, and its snapshot part and ops in memory. */
export const loadCanvasProject = onCall({ memory: "1GiB" }, loadProjectHandler);
