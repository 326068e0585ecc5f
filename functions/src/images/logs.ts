import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of images, one function each.

export function liked(what: "image" | "comment", uid: string, id: string, liked: boolean): void {
  logger.info(`${what} like changed`, { uid, id, liked });
}

export function commented(uid: string, historyId: string, commentId: string, action: "added" | "deleted", by: string): void {
  logger.info(`comment ${action}`, { uid, historyId, commentId, by });
}

export function collectionChanged(uid: string, collectionId: string, action: string, historyId?: string): void {
  logger.info("collection changed", { uid, collectionId, action, ...(historyId === undefined ? {} : { historyId }) });
}

export function setDeleted(uid: string, historyId: string, outcome: string): void {
  logger.info("set deleted", { uid, historyId, mirror: outcome });
}

export function collectionCleanupFailed(uid: string, collectionId: string, error: unknown): void {
  logger.warn("deleted collection's items not cleared (left for the next delete attempt)", { uid, collectionId, ...errorFields(error) });
}
