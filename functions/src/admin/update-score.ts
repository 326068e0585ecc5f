import { randomUUID } from "node:crypto";
import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { z } from "zod";
import type { Cache } from "../cache/cache";
import { flushUntilConfirmed } from "../cache/outbox";
import { publicItem, type PublicItem } from "../mirror/public";
import { enqueueInTransaction } from "../mirror/enqueue";
import { mirrorPath, ownerPath, sourcePath } from "../mirror/paths";
import { planFor, versionOf } from "../mirror/plan";
import { scoreFields } from "../mirror/score";
import { writeMirrorPlan } from "../mirror/write";
import { docId } from "../shared/ids";

export const adminAudit = "adminAudit";

export function updateScoreInput(range: { min: number; max: number }) {
  return z.strictObject({
    historyId: docId,
    uid: docId,
    score: z.number().finite().min(range.min).max(range.max),
  });
}
export type UpdateScoreInput = z.infer<ReturnType<typeof updateScoreInput>>;

export interface UpdateScoreResult {
  item: PublicItem;
  previousScore: number | null;
  mirrored: boolean;
  /** "confirmed": every cached read, on every instance, now shows the new score. "pending":
   *  Redis did not confirm the invalidation in time; cached reads may show the old score until
   *  the outbox is replayed (within a minute of Redis answering again). Never a plain success. */
  invalidation: "confirmed" | "pending";
}

/** How long the callable keeps retrying the tag bump before it answers "pending". */
export const invalidationDeadlineMs = 10_000;

/** Sets an item's aestheticScore (with the fingerprint of the content it is given for). One
 *  transaction updates the source, the public mirror (when the item is public, with its
 *  outbox entry), the audit log, and enqueues a mirror task (which re-reads the source, so it
 *  can only confirm or repair, never overwrite with older data). It answers once Redis has
 *  confirmed the invalidation (retrying up to the deadline), so the next read anywhere shows
 *  the score; if Redis never confirms, the answer says "pending", not plain success. */
export async function updateAestheticScore(
  deps: { db: Firestore; cache: Cache; invalidationDeadlineMs?: number },
  adminUid: string,
  input: UpdateScoreInput,
): Promise<UpdateScoreResult> {
  const { db } = deps;
  const { uid, historyId, score } = input;
  const sourceRef = db.doc(sourcePath(uid, historyId));
  const outboxId = `score-${randomUUID()}`;
  const result = await db.runTransaction(async (tx) => {
    const [source, mirror, owner] = await tx.getAll(sourceRef, db.doc(mirrorPath(historyId)), db.doc(ownerPath(historyId)));
    if (!source!.exists) throw new HttpsError("not-found", "No such generation.");
    const before = source!.get("aestheticScore");
    // One concrete time for the source, the mirror and the reply (a server timestamp would
    // leave the mirror and the reply with the old updatedAt until the task repaired it).
    const updatedAt = Timestamp.now();
    // The score is given for the content the admin saw: it is stored with its fingerprint.
    const scored = { ...scoreFields(source!.data()!, score), updatedAt };
    const updated = { ...source!.data(), ...scored };
    tx.update(sourceRef, scored);
    // The mirror gets the projection of the updated source now; the task that follows
    // stamps the new source version (only known after commit) and repairs anything else.
    const plan = planFor({ uid, historyId }, updated, versionOf(source!), { mirror: mirror!, owner: owner! });
    const written = writeMirrorPlan(db, tx, { uid, historyId }, plan, { id: outboxId, now: Date.now() });
    enqueueInTransaction(db, tx, { op: "update", uid, historyId, updates: { aestheticScore: score } });
    tx.create(db.collection(adminAudit).doc(), {
      action: "updateAestheticScore",
      adminUid,
      target: { uid, historyId },
      before: { aestheticScore: typeof before === "number" ? before : null },
      after: { aestheticScore: score },
      at: FieldValue.serverTimestamp(),
    });
    const mirrored = written.outcome === "written" || written.outcome === "unchanged";
    return { updated, previousScore: typeof before === "number" ? before : null, mirrored, tags: written.tags };
  });
  const confirmed =
    result.tags.length === 0 ||
    (await flushUntilConfirmed(
      db,
      (tags) => deps.cache.bump(tags),
      [{ id: outboxId, tags: result.tags }],
      deps.invalidationDeadlineMs ?? invalidationDeadlineMs,
    ));
  const { updated, previousScore, mirrored } = result;
  return { item: publicItem(historyId, { ...updated, uid }), previousScore, mirrored, invalidation: confirmed ? "confirmed" : "pending" };
}
