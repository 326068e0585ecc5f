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

// Wiring only: the logic is in room.ts, vote.ts, queue.ts and tally.ts.

const withCache = { secrets: [upstashToken] };

export const createJam = onCall(withCache, createJamHandler);
export const closeJam = onCall(withCache, closeJamHandler);
export const addEntry = onCall(withCache, addEntryHandler);
export const vote = onCall(withCache, voteHandler);
export const jamQueue = onCall(withCache, jamQueueHandler);
export const getVoteDebugInfo = onCall(voteDebugHandler);
/** The backstop of the folds (platform retries: a fold is idempotent). */
export const onJamTallyWritten = onDocumentWritten(
  { document: `${jams}/{jamId}/${talliesCollection}/{shardId}`, retry: true },
  tallyWrittenHandler,
);
