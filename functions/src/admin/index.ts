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

// Wiring only: the admin panel's callables (custom claim `admin: true`), logic in handlers.ts.

export const updateAestheticScore = onCall({ secrets: [upstashToken] }, updateScoreHandler);
export const getMirrorQueueStats = onCall(queueStatsHandler);
export const retryDeadMirrorTasks = onCall({ secrets: [upstashToken] }, retryDeadHandler);
export const runMaintenanceJob = onCall({ secrets: [upstashToken, ...mediaSecrets], timeoutSeconds: 540, memory: "1GiB" }, runJobHandler);
export const listMaintenanceRuns = onCall(listRunsHandler);
export const findPublicItems = onCall(findItemsHandler);
export const getCacheOverview = onCall({ secrets: [upstashToken] }, cacheOverviewHandler);
