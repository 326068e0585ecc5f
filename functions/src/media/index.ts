import { onSchedule } from "firebase-functions/scheduler";
import { runJob } from "../maintenance/run";
import { db } from "../shared/firebase";
import { mediaGcTimeoutSeconds, mediaGcTimeZone, mediaSecrets } from "./config";
import { mediaGcJob } from "./gc";
import { mediaStoreFromParams } from "./store";

export { mediaGcJob, type GcSettings } from "./gc";
export { mediaStoreFromParams, type MediaStore } from "./store";
export { mediaSecrets } from "./config";

/** Daily canvas media garbage collection. No platform retry: what failed stays for the
 *  next run (the run record says what), and a retry storm on a broken store helps nobody. */
export const collectCanvasMedia = onSchedule(
  {
    schedule: "every day 03:00",
    timeZone: mediaGcTimeZone,
    timeoutSeconds: mediaGcTimeoutSeconds,
    memory: "512MiB",
    secrets: mediaSecrets,
    retryCount: 0,
  },
  async () => {
    await runJob({ db: db(), now: Date.now }, "collectCanvasMedia", mediaGcJob(mediaStoreFromParams()), { dryRun: false });
  },
);
