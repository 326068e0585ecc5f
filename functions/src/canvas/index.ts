import { onCall } from "firebase-functions/https";
import { scheduledJob } from "../maintenance/schedule";
import { applyOpsHandler, createMediaUploadHandler, createProjectHandler, loadProjectHandler } from "./handlers";
import { mediaSecrets } from "./media/config";
import { snapshotJob } from "./snapshot-job";
import { appCheck, limitSecrets } from "../limits/config";
import { limitedCall } from "../limits/wrap";

// Wiring only: the logic is in handlers.ts, ops.ts, load.ts and the snapshot modules.

export const snapshotCanvasProjects = scheduledJob(snapshotJob);

export const createCanvasProject = onCall({ secrets: limitSecrets, ...appCheck }, limitedCall("createCanvasProject", createProjectHandler));
/** Media references are confirmed with a HEAD on the media store. */
export const applyCanvasOps = onCall(
  { secrets: [...mediaSecrets, ...limitSecrets], memory: "512MiB", ...appCheck },
  limitedCall("applyCanvasOps", applyOpsHandler),
);
export const createCanvasMediaUpload = onCall(
  { secrets: [...mediaSecrets, ...limitSecrets], ...appCheck },
  limitedCall("createCanvasMediaUpload", createMediaUploadHandler),
);
/** A page holds up to ~5 MB of elements, and its snapshot part and ops in memory. */
export const loadCanvasProject = onCall({ memory: "1GiB", ...appCheck }, limitedCall("loadCanvasProject", loadProjectHandler));
