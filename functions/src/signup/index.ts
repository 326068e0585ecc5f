import { onDocumentWritten } from "firebase-functions/firestore";
import { onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { scheduledJob } from "../maintenance/schedule";
import { generations } from "../mirror/paths";
import { db } from "../shared/firebase";
import { signupSettings } from "./config";
import { onMirrorChangedForSignup, signupImagesHandler } from "./handlers";
import { signupJob } from "./job";

export const signupImages = onRequest(
  { secrets: [upstashToken], cors: true },
  signupImagesHandler(() => ({ db: db(), cache: cache(), settings: signupSettings() })),
);

export const refreshSignupImageCache = scheduledJob(signupJob);

export const onGenerationChangedForSignup = onDocumentWritten(
  { document: `${generations}/{historyId}`, secrets: [upstashToken], retry: true },
  (event) =>
    onMirrorChangedForSignup(
      { db: db(), cache: cache() },
      event.params.historyId,
      event.data?.after.exists ? event.data.after.data() : undefined,
    ),
);
