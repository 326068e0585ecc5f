import { FieldValue, type Timestamp } from "firebase-admin/firestore";
import * as logger from "firebase-functions/logger";
import { decodeCursor, encodeCursor, fromCursorTime, timeAndId, toCursorTime } from "../shared/cursor";
import type { JobDeps } from "./job";

/** `maintenanceCursors/{job}`: where a job's next run continues. */
export const maintenanceCursors = "maintenanceCursors";

/** A job's position: the last document it reached, in (time, id) order. */
export interface Position {
  at: Timestamp;
  id: string;
}

/** The saved position of a job (null: start from the beginning; an unreadable one is logged
 *  and ignored, so a bad cursor costs one full pass, never a stuck job). */
export async function loadPosition(deps: JobDeps, job: string): Promise<Position | null> {
  const saved = (await deps.db.collection(maintenanceCursors).doc(job).get()).get("cursor") as string | undefined | null;
  if (!saved) return null;
  const decoded = decodeCursor(saved, timeAndId);
  if (!decoded) {
    logger.warn("maintenance: unreadable saved cursor, starting from the beginning", { job, cursor: saved.slice(0, 200) });
    return null;
  }
  return { at: fromCursorTime(decoded.t), id: decoded.id };
}

/** The opaque form of a position, as saved and as reported in a run's summary. */
export const positionCursor = (position: Position | null): string | null =>
  position === null ? null : encodeCursor({ t: toCursorTime(position.at), id: position.id });

export async function savePosition(deps: JobDeps, job: string, position: Position | null): Promise<string | null> {
  const cursor = positionCursor(position);
  await deps.db.collection(maintenanceCursors).doc(job).set({ cursor, updatedAt: FieldValue.serverTimestamp() });
  return cursor;
}
