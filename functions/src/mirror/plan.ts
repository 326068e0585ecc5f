import type { DocumentSnapshot } from "firebase-admin/firestore";
import { micros } from "../shared/time";
import { desiredMirror, InvalidSourceError, mirrorMatches, projectGeneration, type MirrorFields } from "./projection";

/** Microseconds of a document's update time: Firestore makes it grow with every write. */
export function versionOf(snap: DocumentSnapshot): number {
  return snap.updateTime ? micros(snap.updateTime) : 0;
}

/** What the mirror of one item should be, decided from a source and a mirror snapshot.
 *  The one decision shared by the queue (applyTask) and the rebuild. */
export interface MirrorPlan {
  desired: MirrorFields | null;
  current: Record<string, unknown> | undefined;
  /** Why the source was rejected as malformed (then desired is null: it is not shown). */
  invalid?: string;
  /** The stored mirror already equals desired. */
  matches: boolean;
  /** The stored mirror belongs to another user: it must be left alone. */
  conflict: boolean;
}

export function planMirror(ids: { uid: string; historyId: string }, source: DocumentSnapshot, mirror: DocumentSnapshot): MirrorPlan {
  return planFor(ids, source.exists ? source.data() : undefined, versionOf(source), mirror);
}

/** The same decision for source data not (yet) stored, e.g. inside the transaction that
 *  is about to write it. */
export function planFor(
  ids: { uid: string; historyId: string },
  sourceData: unknown,
  version: number,
  mirror: DocumentSnapshot,
): MirrorPlan {
  const current = mirror.exists ? mirror.data() : undefined;
  let projected: MirrorFields | null;
  let invalid: string | undefined;
  try {
    projected = projectGeneration(sourceData, ids, version);
  } catch (error) {
    if (!(error instanceof InvalidSourceError)) throw error;
    projected = null; // a malformed item is not shown publicly
    invalid = error.message;
  }
  const desired = desiredMirror(projected, current);
  return {
    desired,
    current,
    ...(invalid === undefined ? {} : { invalid }),
    matches: mirrorMatches(desired, current),
    conflict: current !== undefined && current.uid !== ids.uid,
  };
}
