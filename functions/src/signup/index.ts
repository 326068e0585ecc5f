import { onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { scheduledJob } from "../maintenance/schedule";
import { db } from "../shared/firebase";
import { signupSettings } from "./config";
import { signupImagesHandler } from "./handlers";
import { signupJob } from "./job";
import { limitedRead } from "../limits/wrap";

export const signupImages = onRequest(
  { secrets: [upstashToken], cors: true },
  limitedRead(
    "signupImages",
    signupImagesHandler(() => ({ db: db(), cache: cache(), settings: signupSettings() })),
  ),
);

export const refreshSignupImageCache = scheduledJob(signupJob);
