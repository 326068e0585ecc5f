import { onDocumentWritten } from "firebase-functions/firestore";
import { onRequest } from "firebase-functions/https";
import { onSchedule } from "firebase-functions/scheduler";
import { cache } from "../cache";
import { upstashToken } from "../config";
import { runJob } from "../maintenance/run";
import { generations } from "../mirror/paths";
import { db } from "../shared/firebase";
import { signupSettings } from "./config";
import { onMirrorChangedForSignup, signupImagesHandler } from "./handlers";
import { signupRefreshJob } from "./refresh";

export const signupJob = signupRefreshJob(cache, signupSettings);

export const signupImages = onRequest(
  { secrets: [upstashToken], cors: true },
  signupImagesHandler(() => ({ db: db(), cache: cache(), settings: signupSettings() })),
);

export const refreshSignupImageCache = onSchedule(
  { schedule: "every 24 hours", timeZone: "Etc/UTC", timeoutSeconds: 120, secrets: [upstashToken], retryCount: 0 },
  async () => {
    await runJob({ db: db(), now: Date.now }, "refreshSignupImageCache", signupJob, { dryRun: false });
  },
);

export const onGenerationChangedForSignup = onDocumentWritten(
  { document: `${generations}/{historyId}`, secrets: [upstashToken], retry: true },
  (event) =>
    onMirrorChangedForSignup({ db: db(), cache: cache() }, event.params.historyId, event.data?.after.exists ? event.data.after.data() : undefined),
);
