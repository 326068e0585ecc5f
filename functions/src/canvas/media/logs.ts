import * as logger from "firebase-functions/logger";
import { errorFields } from "../../shared/log";

// Every log event of canvas media garbage collection, one function each. Store errors
// never hold credentials (the SDK does not echo them).

/** The one race a claim cannot close: a project took the media after it was claimed. */
export function referencedWhileDeleting(mediaId: string, storagePath: string): void {
  logger.error("canvas media was referenced while being deleted: object removed, record kept", { mediaId, storagePath });
}

export function storageFailed(mediaId: string, storagePath: string, error: unknown): void {
  logger.warn("canvas media: storage delete failed, record kept for the next run", { mediaId, storagePath, ...errorFields(error) });
}

export function malformed(mediaId: string, problems: string): void {
  logger.warn("canvas media record is malformed, left alone", { mediaId, problems });
}

/** Our claim expired and another run took the media over; it finishes the deletion. */
export function claimLost(mediaId: string): void {
  logger.warn("canvas media: claim expired during deletion, another run took over", { mediaId });
}

export function itemFailed(mediaId: string, error: unknown): void {
  logger.error("canvas media: collecting one item failed", { mediaId, ...errorFields(error) });
}
