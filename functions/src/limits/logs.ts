import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of the limits, one function each.

/** A limit could not be checked (Redis down or slow): the call went through, as the cache
 *  serves from Firestore in an outage. A log-based metric counts these (docs/operations.md). */
export function failedOpen(limit: string, error: unknown): void {
  logger.warn("rate limit failed open", { limit, ...errorFields(error) });
}

export function refused(limit: string, identity: string, retryAfterSeconds: number): void {
  logger.info("rate limit refused a call", { limit, identity: identity.slice(0, 128), retryAfterSeconds });
}

/** A transaction lost to others on the same documents after all its retries: answered
 *  `aborted` (a hot document: the capacity table says which). */
export function contention(error: unknown): void {
  logger.warn("transaction contention answered aborted", errorFields(error));
}
