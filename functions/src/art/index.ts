import { onDocumentWritten } from "firebase-functions/firestore";
import { onCall } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { mediaSecrets } from "../canvas/media/config";
import { scheduledJob } from "../maintenance/schedule";
import { artProviderKey } from "./config";
import * as h from "./handlers";
import { artRecoveryJob } from "./job";
import { artRequests } from "./model";
import { appCheck } from "../limits/config";
import { limitedCall } from "../limits/wrap";

// Every art function builds artDeps, which holds the Redis client: each binds its token.
// Wiring only: the logic is in sessions.ts, requests.ts, worker.ts, next.ts, watch.ts and recovery.ts.

const withCache = { secrets: [upstashToken], ...appCheck };

export const startArtSession = onCall(withCache, limitedCall("startArtSession", h.startArtSessionHandler));
export const generateArt = onCall(withCache, limitedCall("generateArt", h.generateArtHandler));
export const getProcessingStatus = onCall(withCache, limitedCall("getProcessingStatus", h.getProcessingStatusHandler));
export const nextArtworks = onCall(withCache, limitedCall("nextArtworks", h.nextArtworksHandler));
export const recordImpressions = onCall(withCache, limitedCall("recordImpressions", h.recordImpressionsHandler));
/** A watch lives up to 55 minutes (watch.ts); heartbeats every 10 s keep proxies from closing it. */
export const watchArtSession = onCall(
  { ...withCache, timeoutSeconds: 3600, heartbeatSeconds: 10 },
  limitedCall("watchArtSession", h.watchArtSessionHandler),
);
/** The worker: generates, stores the picture, completes. No platform retry: a run that dies
 *  leaves its claim's heartbeat to stop, and recoverArtRequests dispatches it again. */
export const onArtRequestWritten = onDocumentWritten(
  {
    document: `${artRequests}/{requestId}`,
    retry: false,
    timeoutSeconds: 300,
    memory: "512MiB",
    secrets: [upstashToken, artProviderKey, ...mediaSecrets],
  },
  h.artRequestWrittenHandler,
);
export const recoverArtRequests = scheduledJob(artRecoveryJob);
