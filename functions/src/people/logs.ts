import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of people, one function each.

export function profileUpdated(uid: string, fields: string[]): void {
  logger.info("profile updated", { uid, fields });
}

export function followChanged(uid: string, targetUid: string, following: boolean): void {
  logger.info("follow changed", { uid, targetUid, following });
}

export function exploreScanCapped(q: string, scanned: number): void {
  logger.info("explore page scanned its cap before filling", { q, scanned });
}

export function notificationFailed(raise: { type: string; uid: string; actorUid: string; targetId?: string }, error: unknown): void {
  logger.error("notification not raised", { ...raise, ...errorFields(error) });
}
