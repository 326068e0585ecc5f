import { onSchedule } from "firebase-functions/scheduler";
import { upstashToken } from "./config";
import { cache } from "./instance";
import * as logs from "./logs";

/** Bumps what the outbox still holds: invalidations that Redis could not confirm when they
 *  happened, in any instance, including ones that never talk to Redis again. */
export const replayCacheInvalidations = onSchedule(
  { schedule: "* * * * *", timeZone: "Etc/UTC", secrets: [upstashToken], retryCount: 0 },
  async () => {
    logs.outboxReplayed(await cache().replayOutbox());
  },
);
