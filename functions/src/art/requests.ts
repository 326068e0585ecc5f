import { createHash } from "node:crypto";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { flushCredits } from "../credits/ledger";
import { chargeSpend, creditTransactionAttempts, readSpend, settleCreditStep } from "../credits/spend";
import { newOutboxId } from "../people/users";
import { runContendedTransaction } from "../shared/transaction";
import { withTimeout } from "../shared/timeout";
import type { ArtDeps } from "./deps";
import * as logs from "./logs";
import { artRequests, requestPath, sessionPath, type RequestStatus } from "./model";
import type { GenerateArtInput } from "./schemas";
import { requireLiveSession, useSessionIn } from "./sessions";

export const generationReason = "art generation";

/** A request id: from the app's clientRequestId (so its retry finds the first request), or new. */
function requestIdFor(deps: ArtDeps, uid: string, clientRequestId: string | undefined): string {
  if (clientRequestId === undefined) return deps.db.collection(artRequests).doc().id;
  return createHash("sha256").update(`${uid}\n${clientRequestId}`).digest("base64url").slice(0, 32);
}

/**
 * `generateArt`: ONE transaction reads the session, the request (a retried clientRequestId
 * finds it and changes nothing) and what the spend needs; then writes the request (queued),
 * the credits' ledger entry and balance, and the session's use. Not enough credits is
 * `failed-precondition`, another user's or an unknown session `not-found`, an expired one
 * `failed-precondition`: all before any write, so a refused call writes nothing. The request's
 * creation dispatches the worker (onArtRequestWritten).
 */
export async function generateArt(deps: ArtDeps, uid: string, input: GenerateArtInput) {
  const { db } = deps;
  const requestId = requestIdFor(deps, uid, input.clientRequestId);
  const requestRef = db.doc(requestPath(requestId));
  const now = deps.now();
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [session, existing] = await tx.getAll(db.doc(sessionPath(input.sessionId)), requestRef);
      if (existing!.exists) {
        if (existing!.get("uid") !== uid) throw new HttpsError("not-found", "No such art session.");
        return { sessionId: existing!.get("sessionId") as string, duplicate: true as const };
      }
      requireLiveSession(session!, uid, now);
      const step = await readSpend(db, tx, uid, deps.settings.cost, generationReason, requestId);
      const balance = chargeSpend(db, tx, step);
      tx.create(requestRef, {
        uid,
        sessionId: input.sessionId,
        status: "queued" satisfies RequestStatus,
        prompt: input.prompt ?? "",
        ...(input.musicInfo ? { musicInfo: input.musicInfo } : {}),
        ...(input.preferences ? { preferences: input.preferences } : {}),
        ...(input.audioAnalysis ? { audioAnalysisJson: JSON.stringify(input.audioAnalysis) } : {}),
        cost: deps.settings.cost,
        attempt: 1,
        failures: 0,
        checkAt: Timestamp.fromMillis(now + deps.settings.stallMs),
        createdAt: FieldValue.serverTimestamp(),
        updatedAt: FieldValue.serverTimestamp(),
      });
      useSessionIn(tx, session!, now);
      return { sessionId: input.sessionId, duplicate: false as const, step, balance };
    },
    creditTransactionAttempts,
  );
  if (result.duplicate) {
    // A retry after a lost answer, or this call's own transaction run again after a commit
    // whose answer was lost: either way the balance may have moved since `me` was cached.
    await flushCredits(deps, uid, newOutboxId("credits"));
    return { requestId, sessionId: result.sessionId, duplicate: true };
  }
  logs.requested(uid, input.sessionId, requestId);
  await settleCreditStep(deps, result.step, "spend", result.balance);
  return { requestId, sessionId: result.sessionId, duplicate: false };
}

export interface ProcessingStatus {
  status: "queued" | "processing" | "done" | "failed";
  progress: number;
  stage: string;
  artworkId?: string;
  error?: string;
}

/** How long a status read waits for Redis before answering from Firestore alone. */
const statusReadMs = 500;

/**
 * `getProcessingStatus`: the request's owner only (anyone else `not-found`, as for an unknown
 * id). Firestore's request is the authority on done and failed (written in the transaction
 * that creates the artwork, or fails and refunds); while it is queued, the worker's entry in
 * Redis says whether it is being processed, at which stage and how far. Redis down: the
 * answer is Firestore's (queued, done or failed), never an error.
 */
export async function processingStatus(deps: ArtDeps, uid: string, requestId: string): Promise<ProcessingStatus> {
  const [snap, live] = await Promise.all([
    deps.db.doc(requestPath(requestId)).get(),
    withTimeout(deps.statuses.read(requestId), statusReadMs, "processing status read").catch((error: unknown) => {
      logs.statusReadFailed(requestId, error);
      return null;
    }),
  ]);
  if (!snap.exists || snap.get("uid") !== uid) throw new HttpsError("not-found", "No such art request.");
  const status = snap.get("status") as RequestStatus;
  if (status === "done") return { status: "done", progress: 100, stage: "done", artworkId: snap.get("artworkId") as string };
  if (status === "failed")
    return { status: "failed", progress: live?.entry.progress ?? 0, stage: "failed", error: snap.get("error") as string };
  if (live && live.entry.status === "processing") return { status: "processing", progress: live.entry.progress, stage: live.entry.stage };
  return { status: "queued", progress: 0, stage: "queued" };
}
