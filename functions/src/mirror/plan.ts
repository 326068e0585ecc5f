import type { DocumentSnapshot } from "firebase-admin/firestore";
import { micros } from "../shared/time";
import { adoptionFingerprint } from "./score";
import { desiredMirror, InvalidSourceError, mirrorMatches, projectGeneration, type MirrorFields } from "./projection";

/** Microseconds of a document's update time: Firestore makes it grow with every write. */
export function versionOf(snap: DocumentSnapshot): number {
  return snap.updateTime ? micros(snap.updateTime) : 0;
}

/** What the mirror of one item should be, decided from the source, the mirror and the id's
 *  owner. The one decision shared by the queue, the rebuild and the admin callable. */
export interface MirrorPlan {
  desired: MirrorFields | null;
  current: Record<string, unknown> | undefined;
  /** Why the source was rejected as malformed (then desired is null: it is not shown). */
  invalid?: string;
  /** The stored mirror already equals desired. */
  matches: boolean;
  /** The historyId belongs to another user: nothing is written, the mirror is theirs. */
  conflict: boolean;
  /** The uid the historyId belongs to, when known. */
  owner?: string;
  /** The id has no registered owner yet and this item becomes public: register it. */
  claim: boolean;
  /** The source's score has no fingerprint (the old platform's, or a scorer that wrote the
   *  score alone): it is adopted for the content the mirror read in this transaction shows,
   *  and the writer stores this fingerprint on the source in the same transaction (score.ts). */
  adoptScore?: string;
}

/** The three documents a plan is made from, read in the caller's transaction. */
export interface PlanInputs {
  source: DocumentSnapshot;
  mirror: DocumentSnapshot;
  owner: DocumentSnapshot;
}

export function planMirror(ids: { uid: string; historyId: string }, docs: PlanInputs): MirrorPlan {
  const data = docs.source.exists ? docs.source.data() : undefined;
  const adoptScore = adoptionFingerprint(data, docs.mirror.exists ? docs.mirror.data() : undefined);
  if (adoptScore === undefined) return planFor(ids, data, versionOf(docs.source), docs);
  return { ...planFor(ids, { ...data, aestheticScoreFor: adoptScore }, versionOf(docs.source), docs), adoptScore };
}

/** The same decision for source data not (yet) stored, e.g. inside the transaction that
 *  is about to write it. */
export function planFor(
  ids: { uid: string; historyId: string },
  sourceData: unknown,
  version: number,
  docs: Pick<PlanInputs, "mirror" | "owner">,
): MirrorPlan {
  const current = docs.mirror.exists ? docs.mirror.data() : undefined;
  let projected: MirrorFields | null;
  let invalid: string | undefined;
  try {
    projected = projectGeneration(sourceData, ids, version);
  } catch (error) {
    if (!(error instanceof InvalidSourceError)) throw error;
    projected = null; // a malformed item is not shown publicly
    invalid = error.message;
  }
  // The registry decides; a mirror written before it existed names its owner itself. A
  // mirror without a uid (an image pipeline wrote it first) names nobody.
  const registered = docs.owner.exists ? (docs.owner.get("uid") as unknown) : undefined;
  const owner =
    typeof registered === "string" ? registered : typeof current?.uid === "string" && current.uid !== "" ? current.uid : undefined;
  const conflict = owner !== undefined && owner !== ids.uid;
  const desired = conflict ? null : desiredMirror(projected, current);
  return {
    desired,
    current,
    ...(invalid === undefined ? {} : { invalid }),
    matches: mirrorMatches(desired, current),
    conflict,
    ...(owner === undefined ? {} : { owner }),
    claim: !conflict && !docs.owner.exists && desired !== null,
  };
}
