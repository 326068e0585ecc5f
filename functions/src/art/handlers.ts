import type { CallableRequest, CallableResponse } from "firebase-functions/https";
import type { FirestoreEvent, Change, DocumentSnapshot } from "firebase-functions/firestore";
import { parseInput, requireUserId as caller } from "../shared/callable";
import type { ArtDeps } from "./deps";
import { nextArtworks, recordImpressions } from "./next";
import { generateArt, processingStatus } from "./requests";
import { artDeps } from "./runtime";
import { generateArtInput, nextArtworksInput, recordImpressionsInput, requestInput, sessionInput, startSessionInput } from "./schemas";
import { startArtSession } from "./sessions";
import { watchArtSession, type WatchChunk } from "./watch";

// The art callables (signed-in users) and the request trigger. Wired in index.ts. Each
// callable validates its input before it reads or writes anything.

/** A signed-in caller's handler: the uid, then the input parsed by `schema`. */
const signedIn =
  <S extends Parameters<typeof parseInput>[0], T>(
    schema: S,
    work: (deps: ArtDeps, uid: string, input: ReturnType<typeof parseInput<S>>) => Promise<T>,
  ) =>
  (request: CallableRequest) => {
    const uid = caller(request);
    return work(artDeps(), uid, parseInput(schema, request.data ?? {}));
  };

export const startArtSessionHandler = signedIn(startSessionInput, (deps, uid, { sessionId }) =>
  startArtSession(deps.db, uid, sessionId, deps.now()),
);
export const generateArtHandler = signedIn(generateArtInput, (deps, uid, input) => generateArt(deps, uid, input));
export const getProcessingStatusHandler = signedIn(requestInput, (deps, uid, { requestId }) => processingStatus(deps, uid, requestId));
export const nextArtworksHandler = signedIn(nextArtworksInput, (deps, uid, { sessionId, limit }) =>
  nextArtworks(deps, uid, sessionId, limit),
);
export const recordImpressionsHandler = signedIn(recordImpressionsInput, (deps, uid, { sessionId, artworkIds }) =>
  recordImpressions(deps, uid, sessionId, artworkIds),
);

/** watchArtSession: a streaming callable (`httpsCallable(...).stream()`), chunks `{ artwork }`. */
export async function watchArtSessionHandler(request: CallableRequest, response?: CallableResponse<WatchChunk>) {
  const uid = caller(request);
  const { sessionId } = parseInput(sessionInput, request.data ?? {});
  const deps = artDeps();
  const sink = response ?? { sendChunk: async () => false, signal: new AbortController().signal };
  return watchArtSession(deps.db, uid, sessionId, sink, request.acceptsStreaming, deps.now);
}

/** onArtRequestWritten: a request created, or dispatched again (a new `attempt`), runs its
 *  worker; every other write (progress of the recovery, a retry's backoff) is ignored. */
export async function artRequestWrittenHandler(event: FirestoreEvent<Change<DocumentSnapshot> | undefined, { requestId: string }>) {
  const before = event.data?.before;
  const after = event.data?.after;
  if (!after?.exists || after.get("status") !== "queued") return;
  if (before?.exists && before.get("attempt") === after.get("attempt")) return;
  // The worker (and with it the S3 SDK and the image provider) is loaded by this trigger only.
  const { processArtRequest } = await import("./worker");
  await processArtRequest(artDeps(), event.params.requestId);
}
