import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of art sessions, one function each.

export function sessionStarted(uid: string, sessionId: string): void {
  logger.info("art session started", { uid, sessionId });
}

/** A session's use was not recorded (a concurrent use moved its expiry, or it is gone). */
export function sessionUseNotRecorded(sessionId: string, error: unknown): void {
  logger.debug("art session use not recorded", { sessionId, ...errorFields(error) });
}

export function requested(uid: string, sessionId: string, requestId: string): void {
  logger.info("art requested", { uid, sessionId, requestId });
}

export function statusReadFailed(requestId: string, error: unknown): void {
  logger.warn("art processing status unreadable in Redis; answered from Firestore", { requestId, ...errorFields(error) });
}

export function claimed(requestId: string, attempt: number, worker: string): void {
  logger.info("art request claimed", { requestId, attempt, worker });
}

export function claimHeld(requestId: string, attempt: number): void {
  logger.info("art request held by another worker; this dispatch stops", { requestId, attempt });
}

export function claimLost(requestId: string, worker: string): void {
  logger.warn("art worker lost its claim (the recovery took the request back); stopping", { requestId, worker });
}

export function statusUpdateFailed(requestId: string, error: unknown): void {
  logger.warn("art processing status not updated", { requestId, ...errorFields(error) });
}

export function generated(uid: string, sessionId: string, requestId: string, provider: string, bytes: number): void {
  logger.info("artwork generated", { uid, sessionId, requestId, artworkId: requestId, provider, bytes });
}

export function runFailed(requestId: string, attempt: number, error: unknown): void {
  logger.warn("art run failed; the recovery retries it", { requestId, attempt, ...errorFields(error) });
}

export function failed(uid: string, requestId: string, lastError: string, refunded: number): void {
  logger.warn("art request failed; credits refunded", { uid, requestId, lastError: lastError.slice(0, 500), refunded });
}

export function orphanNotDeleted(path: string, error: unknown): void {
  logger.warn("art picture of a losing run not deleted", { path, ...errorFields(error) });
}

export function served(uid: string, sessionId: string, fresh: number, pool: number, examined: number): void {
  logger.debug("next artworks served", { uid, sessionId, fresh, pool, examined });
}

export function watchStarted(uid: string, sessionId: string): void {
  logger.info("art session watch started", { uid, sessionId });
}

export function watchEnded(uid: string, sessionId: string, ended: string, sent: number, durationMs: number): void {
  logger.info("art session watch ended", { uid, sessionId, ended, sent, durationMs });
}

export function watchFailed(sessionId: string, error: unknown): void {
  logger.error("art session watch listener failed", { sessionId, ...errorFields(error) });
}

export function chunkNotSent(sessionId: string, error: unknown): void {
  logger.warn("art session watch chunk not sent", { sessionId, ...errorFields(error) });
}

/** A stream's lease could not be given back: it expires on its own (src/limits/leases.ts). */
export function leaseNotReleased(uid: string, error: unknown): void {
  logger.warn("art session watch lease not released; it expires on its own", { uid, ...errorFields(error) });
}

/** A stream's lease could not be renewed this time: the next renewal tries again (it expires
 *  after three minutes without one). */
export function leaseNotRenewed(uid: string, error: unknown): void {
  logger.warn("art session watch lease not renewed", { uid, ...errorFields(error) });
}
