import { onCall } from "firebase-functions/https";
import * as logger from "firebase-functions/logger";
import { defineInt } from "firebase-functions/params";
import { cache } from "../cache";
import { upstashToken } from "../config";
import { parseInput, requireAdmin } from "../shared/callable";
import { db } from "../shared/firebase";
import { updateAestheticScore as update, updateScoreInput } from "./update-score";

/** The accepted score range (functions/.env holds the defaults, 0 to 10). */
const scoreMin = defineInt("AESTHETIC_SCORE_MIN", { default: 0, description: "Lowest aestheticScore an admin may set" });
const scoreMax = defineInt("AESTHETIC_SCORE_MAX", { default: 10, description: "Highest aestheticScore an admin may set" });

export const updateAestheticScore = onCall({ secrets: [upstashToken] }, async (request) => {
  const adminUid = requireAdmin(request);
  const input = parseInput(updateScoreInput({ min: scoreMin.value(), max: scoreMax.value() }), request.data);
  const result = await update({ db: db(), cache: cache() }, adminUid, input);
  logger.info("aestheticScore updated", { adminUid, uid: input.uid, historyId: input.historyId, before: result.previousScore, after: input.score });
  return result;
});
