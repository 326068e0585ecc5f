import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import type { JobDefinition } from "../maintenance/job";
import { signupSettings } from "./config";
import { signupRefreshJob } from "./refresh";

/** refreshSignupImageCache, every 24 hours: selects the signup images again. */
export const signupJob: JobDefinition = {
  name: "refreshSignupImageCache",
  schedule: "0 0 * * *",
  timeZone: "Etc/UTC",
  timeoutSeconds: 120,
  memory: "256MiB",
  secrets: [upstashToken],
  run: signupRefreshJob(cache, signupSettings),
};
