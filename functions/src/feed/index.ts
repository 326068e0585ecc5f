import { onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { db } from "../shared/firebase";
import { publicFeedHandler, publicGenerationHandler } from "./handlers";
import { limitedRead } from "../limits/wrap";

const deps = () => ({ db: db(), cache: cache() });

export const publicFeed = onRequest({ secrets: [upstashToken], cors: true }, limitedRead("publicFeed", publicFeedHandler(deps)));
export const publicGeneration = onRequest(
  { secrets: [upstashToken], cors: true },
  limitedRead("publicGeneration", publicGenerationHandler(deps)),
);
