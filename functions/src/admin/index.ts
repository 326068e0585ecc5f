import { onCall } from "firebase-functions/https";
import { mediaSecrets } from "../canvas/media/config";
import { upstashToken } from "../cache/config";
import {
  cacheOverviewHandler,
  findItemsHandler,
  listRunsHandler,
  queueStatsHandler,
  retryDeadHandler,
  runJobHandler,
  updateScoreHandler,
} from "./handlers";
import { limitedCall } from "../limits/wrap";

// Wiring only: the admin panel's callables (custom claim `admin: true`), logic in handlers.ts.

export const updateAestheticScore = onCall({ secrets: [upstashToken] }, limitedCall("updateAestheticScore", updateScoreHandler));
export const getMirrorQueueStats = onCall(limitedCall("getMirrorQueueStats", queueStatsHandler));
export const retryDeadMirrorTasks = onCall({ secrets: [upstashToken] }, limitedCall("retryDeadMirrorTasks", retryDeadHandler));
export const runMaintenanceJob = onCall(
  { secrets: [upstashToken, ...mediaSecrets], timeoutSeconds: 540, memory: "1GiB" },
  limitedCall("runMaintenanceJob", runJobHandler),
);
export const listMaintenanceRuns = onCall(limitedCall("listMaintenanceRuns", listRunsHandler));
export const findPublicItems = onCall(limitedCall("findPublicItems", findItemsHandler));
export const getCacheOverview = onCall({ secrets: [upstashToken] }, limitedCall("getCacheOverview", cacheOverviewHandler));
