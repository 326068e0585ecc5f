import { upstashToken } from "../cache/config";
import type { JobDefinition } from "../maintenance/job";
import { recoverArtRequests } from "./recovery";
import { artDeps } from "./runtime";

/** recoverArtRequests, every minute: requests whose worker died or never ran (recovery.ts). */
export const artRecoveryJob: JobDefinition = {
  name: "recoverArtRequests",
  schedule: "* * * * *",
  timeZone: "Etc/UTC",
  timeoutSeconds: 300,
  memory: "256MiB",
  secrets: [upstashToken],
  run: recoverArtRequests(artDeps),
};
