import { onDocumentCreated, onDocumentWritten } from "firebase-functions/firestore";
import * as logger from "firebase-functions/logger";
import { onSchedule } from "firebase-functions/scheduler";
import { upstashToken } from "../cache/config";
import { db } from "../shared/firebase";
import { onSourceWritten } from "./on-source-written";
import { generationHistory, historyItems, mirrorQueue } from "./paths";
import { processTask } from "./process";
import { functionMirrorDeps } from "./runtime";
import { sweepQueue } from "./sweep";

// Wiring only: the mirror pipeline's triggers. Its admin callables are in admin/.

/** Any write to a generationHistory item, by anyone, enqueues a mirror task. */
export const onGenerationHistoryWritten = onDocumentWritten(
  { document: `${generationHistory}/{uid}/${historyItems}/{historyId}`, retry: true },
  (event) =>
    onSourceWritten(db(), {
      eventId: event.id,
      uid: event.params.uid,
      historyId: event.params.historyId,
      before: event.data?.before.exists ? event.data.before.data() : undefined,
      after: event.data?.after.exists ? event.data.after.data() : undefined,
    }),
);

/** Processes each task as it is enqueued. No platform retry: a failure is recorded on the
 *  task with its backoff, and sweepMirrorQueue re-drives it (or a task left pending). */
export const processMirrorTask = onDocumentCreated(
  { document: `${mirrorQueue}/{taskId}`, secrets: [upstashToken], retry: false },
  async (event) => {
    const outcome = await processTask(functionMirrorDeps("trigger"), event.params.taskId);
    logger.debug("mirror task processed", { taskId: event.params.taskId, outcome });
  },
);

export const sweepMirrorQueue = onSchedule(
  { schedule: "every 1 minutes", timeZone: "Etc/UTC", timeoutSeconds: 300, memory: "512MiB", secrets: [upstashToken], retryCount: 0 },
  async () => {
    await sweepQueue(functionMirrorDeps("sweeper"));
  },
);
