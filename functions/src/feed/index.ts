import { onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { db } from "../shared/firebase";
import { publicFeedHandler, publicGenerationHandler } from "./handlers";

const deps = () => ({ db: db(), cache: cache() });

export const publicFeed = onRequest({ secrets: [upstashToken], cors: true }, publicFeedHandler(deps));
export const publicGeneration = onRequest({ secrets: [upstashToken], cors: true }, publicGenerationHandler(deps));
