import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of jams, one function each.

export function voted(jamId: string, entryId: string, uid: string, from: number, to: number): void {
  logger.info("jam vote", { jamId, entryId, uid, from, to });
}

/** The counts on the entry document lag until the next vote or queue read folds them. */
export function foldGaveUp(jamId: string, entryId: string, seq: number): void {
  logger.warn("jam entry fold gave up after contention; the next vote or queue read repairs it", { jamId, entryId, seq });
}

export function jamClosed(jamId: string, hostUid: string): void {
  logger.info("jam closed", { jamId, hostUid });
}

export function foldFailed(jamId: string, entryId: string, error: unknown): void {
  logger.warn("jam entry fold failed after the vote committed; the tally trigger repairs it", {
    jamId,
    entryId,
    ...errorFields(error),
  });
}
