import { FieldValue, Timestamp, type DocumentSnapshot } from "firebase-admin/firestore";
import { creditRefund, creditTransactionAttempts, readRefund, settleCreditStep } from "../credits/spend";
import { runContendedTransaction } from "../shared/transaction";
import type { ArtDeps } from "./deps";
import * as logs from "./logs";
import { artRetention, artworkPath, expiresAfter, requestPath } from "./model";
import type { ImageType } from "./providers/provider";

// How a request ends or goes round again. Each is ONE transaction that acts only on a request
// still queued, so a late or repeated worker, a second recovery or a duplicated event changes
// nothing once the request is done or failed.

export interface FinishedImage {
  imageUrl: string;
  storagePath: string;
  provider: string;
  contentType: ImageType;
  width: number;
  height: number;
}

/** The artwork and the request's `done`, together: a request is done exactly when its artwork
 *  exists (the artwork's id is the request's). False when the request had already ended. */
export async function completeRequest(deps: ArtDeps, requestId: string, image: FinishedImage): Promise<boolean> {
  const { db } = deps;
  const requestRef = db.doc(requestPath(requestId));
  return db.runTransaction(async (tx) => {
    const request = await tx.get(requestRef);
    if (!request.exists || request.get("status") !== "queued") return false;
    tx.create(db.doc(artworkPath(requestId)), {
      uid: request.get("uid") as string,
      sessionId: request.get("sessionId") as string,
      requestId,
      prompt: request.get("prompt") as string,
      ...image,
      createdAt: FieldValue.serverTimestamp(),
    });
    tx.update(requestRef, {
      status: "done",
      artworkId: requestId,
      finishedAt: FieldValue.serverTimestamp(),
      expireAt: expiresAfter(deps.now(), artRetention.endedRequestMs),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return true;
  });
}

/**
 * Fails the request and refunds its credits in the same transaction (so a crash can leave
 * neither a failed request that kept its credits nor a refund of a request still running).
 * `error` is what the user reads; `lastError` what happened. With `attempt`, only while the request
 * is at that dispatch. False when it had already ended (or moved on).
 */
export async function failRequest(deps: ArtDeps, requestId: string, error: string, lastError: string, attempt?: number): Promise<boolean> {
  const { db } = deps;
  const requestRef = db.doc(requestPath(requestId));
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const request = await tx.get(requestRef);
      if (!request.exists || request.get("status") !== "queued") return null;
      // A run of an older dispatch (the recovery gave the request to another) fails nothing.
      if (attempt !== undefined && request.get("attempt") !== attempt) return null;
      const uid = request.get("uid") as string;
      const step = await readRefund(db, tx, uid, requestId, "art generation failed");
      const balance = creditRefund(db, tx, step);
      tx.update(requestRef, {
        status: "failed",
        error,
        lastError: lastError.slice(0, 1000),
        refunded: step.amount,
        finishedAt: FieldValue.serverTimestamp(),
        expireAt: expiresAfter(deps.now(), artRetention.endedRequestMs),
        updatedAt: FieldValue.serverTimestamp(),
      });
      return { uid, step, balance };
    },
    creditTransactionAttempts,
  );
  if (!result) return false;
  logs.failed(result.uid, requestId, lastError, result.step.amount);
  await settleCreditStep(deps, result.step, "refund", result.balance);
  return true;
}

/** Updates the request with `fields(request)` only while it is queued at `attempt` (a run or
 *  a recovery of an older dispatch changes nothing). False when the request moved on. */
async function updateQueuedAt(
  deps: ArtDeps,
  requestId: string,
  attempt: number,
  fields: (request: DocumentSnapshot) => Record<string, unknown>,
): Promise<boolean> {
  const requestRef = deps.db.doc(requestPath(requestId));
  return deps.db.runTransaction(async (tx) => {
    const request = await tx.get(requestRef);
    if (!request.exists || request.get("status") !== "queued" || request.get("attempt") !== attempt) return false;
    tx.update(requestRef, fields(request));
    return true;
  });
}

/** A failed run that may be retried: counted, and left queued for the recovery job to dispatch
 *  again after a backoff (doubling per failure). */
export function deferRequest(deps: ArtDeps, requestId: string, attempt: number, lastError: string): Promise<boolean> {
  return updateQueuedAt(deps, requestId, attempt, (request) => {
    const failures = ((request.get("failures") as number) ?? 0) + 1;
    return {
      failures,
      lastError: lastError.slice(0, 1000),
      checkAt: Timestamp.fromMillis(deps.now() + deps.settings.retryBaseMs * 2 ** (failures - 1)),
      updatedAt: FieldValue.serverTimestamp(),
    };
  });
}

/** Dispatches the request again (a new `attempt`, which the trigger acts on), counting the run
 *  that died as a failure when `diedRun`. */
export function redispatch(deps: ArtDeps, requestId: string, attempt: number, diedRun: boolean): Promise<boolean> {
  return updateQueuedAt(deps, requestId, attempt, () => ({
    attempt: attempt + 1,
    ...(diedRun ? { failures: FieldValue.increment(1), lastError: "the worker stopped reporting (its instance died or hung)" } : {}),
    checkAt: Timestamp.fromMillis(deps.now() + deps.settings.stallMs),
    updatedAt: FieldValue.serverTimestamp(),
  }));
}

/** A worker that is alive: the recovery looks again after another stall period. */
export function postponeCheck(deps: ArtDeps, requestId: string, attempt: number): Promise<boolean> {
  return updateQueuedAt(deps, requestId, attempt, () => ({ checkAt: Timestamp.fromMillis(deps.now() + deps.settings.stallMs) }));
}
