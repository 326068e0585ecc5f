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
