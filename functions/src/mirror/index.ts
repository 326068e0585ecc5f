import { onDocumentCreated, onDocumentWritten } from "firebase-functions/firestore";
import * as logger from "firebase-functions/logger";
import { onSchedule } from "firebase-functions/scheduler";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { db } from "../shared/firebase";
import { onMirrorWritten } from "./external-writes";
import { onSourceWritten } from "./on-source-written";
import { generationHistory, generations, historyItems, mirrorQueue } from "./paths";
import { processTaskWithRetries } from "./process";
import { functionMirrorDeps } from "./runtime";
import { sweepQueue } from "./sweep";

// Wiring only: the mirror pipeline's triggers. Its admin callables are in admin/.

/** Any write to a generationHistory item, by anyone, enqueues a mirror task. */
export const onGenerationHistoryWritten = onDocumentWritten(
  { document: `${generationHistory}/{uid}/${historyItems}/{historyId}`, secrets: [upstashToken], retry: true },
  (event) =>
    onSourceWritten(db(), cache(), {
      eventId: event.id,
      uid: event.params.uid,
      historyId: event.params.historyId,
      before: event.data?.before.exists ? event.data.before.data() : undefined,
      after: event.data?.after.exists ? event.data.after.data() : undefined,
    }),
);

/** How long a trigger run keeps retrying a failed task before leaving it to the sweeper. */
const triggerRetryBudgetMs = 30_000;

/** Processes each task as it is enqueued. No platform retry: a failure is recorded on the
 *  task with its backoff and retried in this run within seconds; what is left after the
 *  retry budget (or a task left pending) is re-driven by sweepMirrorQueue. */
export const processMirrorTask = onDocumentCreated(
  { document: `${mirrorQueue}/{taskId}`, secrets: [upstashToken], retry: false, timeoutSeconds: 120 },
  async (event) => {
    const outcome = await processTaskWithRetries(functionMirrorDeps("trigger"), event.params.taskId, triggerRetryBudgetMs);
    logger.debug("mirror task processed", { taskId: event.params.taskId, outcome });
  },
);

export const sweepMirrorQueue = onSchedule(
  { schedule: "* * * * *", timeZone: "Etc/UTC", timeoutSeconds: 300, memory: "512MiB", secrets: [upstashToken], retryCount: 0 },
  async () => {
    await sweepQueue(functionMirrorDeps("sweeper"));
  },
);

/** A mirror write made outside the pipeline (a thumbnailer) reaches cached reads too. */
export const onGenerationWritten = onDocumentWritten(
  { document: `${generations}/{historyId}`, secrets: [upstashToken], retry: true },
  (event) =>
    onMirrorWritten(
      cache(),
      event.params.historyId,
      event.data?.before.exists ? event.data.before.data() : undefined,
      event.data?.after.exists ? event.data.after.data() : undefined,
    ).then(() => undefined),
);
