import type { FirestoreEvent, Change, DocumentSnapshot } from "firebase-functions/firestore";
import type { CallableRequest } from "firebase-functions/https";
import { cache } from "../cache/instance";
import { parseInput, requireAdmin, requireUser } from "../shared/callable";
import { db } from "../shared/firebase";
import { jamQueue, voteDebugInfo } from "./queue";
import { addEntry, closeJam, createJam, type JamDeps } from "./room";
import { addEntryInput, createJamInput, debugInput, jamInput, voteInput } from "./schemas";
import { foldTally } from "./tally";
import { vote } from "./vote";

// The jam callables (signed-in users; getVoteDebugInfo for admins). Wired in index.ts.

const deps = (): JamDeps => ({ db: db(), cache: cache() });

export const createJamHandler = (request: CallableRequest) =>
  createJam(deps(), requireUser(request), parseInput(createJamInput, request.data).title);

export const closeJamHandler = (request: CallableRequest) =>
  closeJam(deps(), requireUser(request), parseInput(jamInput, request.data).jamId);

export const addEntryHandler = (request: CallableRequest) =>
  addEntry(deps(), requireUser(request), parseInput(addEntryInput, request.data));

export const voteHandler = (request: CallableRequest) => vote(deps(), requireUser(request), parseInput(voteInput, request.data));

export const jamQueueHandler = (request: CallableRequest) =>
  jamQueue(deps(), requireUser(request), parseInput(jamInput, request.data).jamId);

export const voteDebugHandler = (request: CallableRequest) => {
  requireAdmin(request);
  const input = parseInput(debugInput, request.data);
  return voteDebugInfo(db(), input.jamId, input.limit);
};

/** A tally shard was written (a vote): folds its entry's counts onto the entry document if
 *  the vote's own fold did not (it failed, or the instance died after the commit). A no-op
 *  when the document is current; idempotent, so a redelivered event changes nothing. */
export async function tallyWrittenHandler(event: FirestoreEvent<Change<DocumentSnapshot> | undefined, { jamId: string }>) {
  const entryId = event.data?.after.get("entryId") as string | undefined;
  if (entryId) await foldTally(db(), event.params.jamId, entryId);
}
