import { randomUUID } from "node:crypto";
import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { z } from "zod";
import type { Cache } from "../cache/cache";
import { flushInvalidations } from "../cache/outbox";
import { publicItem, type PublicItem } from "../feed/public-item";
import { enqueueInTransaction } from "../mirror/enqueue";
import { mirrorPath, sourcePath } from "../mirror/paths";
import { planFor, versionOf } from "../mirror/plan";
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
}

/** Sets an item's aestheticScore. One transaction updates the source, the public mirror
 *  (when the item is public, with its outbox entry), the audit log, and enqueues a mirror
 *  task (which re-reads the source, so it can only confirm or repair, never overwrite with
 *  older data). The tags are bumped before returning, so the admin's next read shows it. */
export async function updateAestheticScore(
  deps: { db: Firestore; cache: Cache },
  adminUid: string,
  input: UpdateScoreInput,
): Promise<UpdateScoreResult> {
  const { db } = deps;
  const { uid, historyId, score } = input;
  const sourceRef = db.doc(sourcePath(uid, historyId));
  const mirrorRef = db.doc(mirrorPath(historyId));
  const outboxId = `score-${randomUUID()}`;
  const result = await db.runTransaction(async (tx) => {
    const [source, mirror] = await tx.getAll(sourceRef, mirrorRef);
    if (!source!.exists) throw new HttpsError("not-found", "No such generation.");
    const before = source!.get("aestheticScore");
    // One concrete time for the source, the mirror and the reply (a server timestamp would
    // leave the mirror and the reply with the old updatedAt until the task repaired it).
    const updatedAt = Timestamp.now();
    const updated = { ...source!.data(), aestheticScore: score, updatedAt };
    tx.update(sourceRef, { aestheticScore: score, updatedAt });
    // The mirror gets the projection of the updated source now; the task that follows
    // stamps the new source version (only known after commit) and repairs anything else.
    const plan = planFor({ uid, historyId }, updated, versionOf(source!), mirror!);
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
  await flushInvalidations(db, (tags) => deps.cache.bump(tags), [{ id: outboxId, tags: result.tags }]);
  const { updated, previousScore, mirrored } = result;
  return { item: publicItem(historyId, { ...updated, uid }), previousScore, mirrored };
}
