import { onDocumentWritten } from "firebase-functions/firestore";
import { onCall } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import {
  addEntryHandler,
  closeJamHandler,
  createJamHandler,
  jamQueueHandler,
  tallyWrittenHandler,
  voteDebugHandler,
  voteHandler,
} from "./handlers";
import { jams, talliesCollection } from "./model";
import { appCheck } from "../limits/config";
import { limitedCall } from "../limits/wrap";

// Wiring only: the logic is in room.ts, vote.ts, queue.ts and tally.ts.

const withCache = { secrets: [upstashToken], ...appCheck };

export const createJam = onCall(withCache, limitedCall("createJam", createJamHandler));
export const closeJam = onCall(withCache, limitedCall("closeJam", closeJamHandler));
export const addEntry = onCall(withCache, limitedCall("addEntry", addEntryHandler));
export const vote = onCall(withCache, limitedCall("vote", voteHandler));
export const jamQueue = onCall(withCache, limitedCall("jamQueue", jamQueueHandler));
export const getVoteDebugInfo = onCall(limitedCall("getVoteDebugInfo", voteDebugHandler));
/** The backstop of the folds (platform retries: a fold is idempotent). */
export const onJamTallyWritten = onDocumentWritten(
  { document: `${jams}/{jamId}/${talliesCollection}/{shardId}`, retry: true },
  tallyWrittenHandler,
);
