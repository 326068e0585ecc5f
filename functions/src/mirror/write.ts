import { FieldValue, Timestamp, type Firestore, type Transaction } from "firebase-admin/firestore";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { mirrorPath, ownerPath, sourcePath } from "./paths";
import type { MirrorPlan } from "./plan";
import { sameContent, sameProvenance } from "./projection";

/** What a collection's cover shows of an item: that it is public, and its first image. */
const coverOf = (doc: { images?: unknown } | undefined) => {
  const image = Array.isArray(doc?.images) ? (doc.images[0] as { url?: string; thumbnailUrl?: string } | undefined) : undefined;
  return doc ? JSON.stringify([image?.url ?? null, image?.thumbnailUrl ?? null]) : null;
};

/** Whether a mirror change moves what covers show (`coverChanged`): an item that appears or
 *  goes, or whose first image or its thumbnail changes. Other changes (a score) leave covers. */
export const coverMoved = (before: { images?: unknown } | undefined, after: { images?: unknown } | undefined) =>
  coverOf(before) !== coverOf(after);

/** What writing a plan did; the one vocabulary of every path that changes the mirror.
 *  - written / removed: the mirror now shows the projection (or nothing);
 *  - unchanged: it already did (at most its bookkeeping was brought up to date);
 *  - fenced: the mirror already shows a newer source version;
 *  - invalid: the source is malformed, so nothing is shown (a mirror is removed);
 *  - conflict: the historyId belongs to another user; nothing is written. */
export type MirrorOutcome = "written" | "removed" | "unchanged" | "fenced" | "invalid" | "conflict";

export interface MirrorWrite {
  outcome: MirrorOutcome;
  /** The tags recorded in the outbox (empty when nothing changed): flush them after commit. */
  tags: string[];
  /** Why, for invalid (the validation message) and conflict (the id's owner). */
  detail?: string;
  /** A score without a fingerprint was adopted (plan.ts) in this transaction. */
  adopted?: boolean;
}

/**
 * Inside the caller's transaction (which read the source, the mirror and the owner): brings
 * `generations/{historyId}` to `plan`, registers the id's owner on its first publication, and
 * records the cache tags of the change in the `cacheInvalidations` outbox under `outbox.id`,
 * so the invalidation commits with the change.
 */
export function writeMirrorPlan(
  db: Firestore,
  tx: Transaction,
  ids: { uid: string; historyId: string },
  plan: MirrorPlan,
  outbox: { id: string; now: number },
): MirrorWrite {
  const { desired, current, invalid } = plan;
  const detail = invalid === undefined ? {} : { detail: invalid };
  if (plan.conflict)
    return { outcome: "conflict", tags: [], detail: `historyId ${ids.historyId} belongs to another user (uid ${plan.owner})` };
  if (desired && current && typeof current.sourceVersion === "number" && current.sourceVersion > desired.sourceVersion) {
    return { outcome: "fenced", tags: [] };
  }
  if (plan.claim) tx.set(db.doc(ownerPath(ids.historyId)), { uid: ids.uid, claimedAt: Timestamp.fromMillis(outbox.now) });
  // Only the score's bookkeeping: the source's content, updatedAt and score are untouched.
  if (plan.adoptScore) tx.update(db.doc(sourcePath(ids.uid, ids.historyId)), { aestheticScoreFor: plan.adoptScore });
  const adopted = plan.adoptScore ? { adopted: true } : {};
  if (plan.matches) return { outcome: invalid === undefined ? "unchanged" : "invalid", tags: [], ...detail, ...adopted };
  // A newer source version with the same content (a score adopted, a write that changed no
  // mirrored field): no read shows the difference, so nothing is bumped, and nothing is
  // written unless the provenance marks changed (the smart merge reads them). The stored
  // sourceVersion may then lag the source's: every plan reads the source in its own
  // transaction, so the fence only ever sees an older version than the truth.
  const ref = db.doc(mirrorPath(ids.historyId));
  if (sameContent(desired, current)) {
    if (!sameProvenance(desired, current)) tx.set(ref, { ...desired, mirroredAt: FieldValue.serverTimestamp() });
    return { outcome: "unchanged", tags: [], ...adopted };
  }
  if (desired) tx.set(ref, { ...desired, mirroredAt: FieldValue.serverTimestamp() });
  else tx.delete(ref);
  const cover = coverMoved(current, desired ?? undefined) ? writes.coverChanged.tags(ids) : [];
  const tags = [...writes.mirrorChanged.tags(ids), ...cover];
  recordInTransaction(db, tx, outbox.id, tags, outbox.now);
  return { outcome: invalid !== undefined ? "invalid" : desired ? "written" : "removed", tags, ...detail, ...adopted };
}
