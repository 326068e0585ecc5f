import * as logger from "firebase-functions/logger";
import { onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { redis } from "../cache/redis";
import { db } from "../shared/firebase";
import { checkHealth } from "./check";
import { limitedRead } from "../limits/wrap";

/** GET /health: 200 when Firestore and Redis answer, 503 otherwise; never cached. */
export const health = onRequest(
  { secrets: [upstashToken], cors: true },
  limitedRead("health", async (req, res) => {
    if (req.method !== "GET") {
      res.status(405).set("Allow", "GET").json({ error: "method not allowed" });
      return;
    }
    const report = await checkHealth({ db: db(), redis: redis() });
    if (report.status !== "ok") logger.warn("health degraded", { report });
    res
      .status(report.status === "ok" ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json(report);
  }),
);
