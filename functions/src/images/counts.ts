import { FieldValue, type Firestore, type Transaction } from "firebase-admin/firestore";
import { imageLimits, statShardsPath } from "./model";

export interface ImageCounts {
  likeCount: number;
  commentCount: number;
}

/** Inside a transaction: moves one of an item's counts by `step` on a random shard, without
 *  reading it (a read would make every liker of a hot item wait for the others). */
export function countInTransaction(db: Firestore, tx: Transaction, historyId: string, field: keyof ImageCounts, step: number): void {
  const shard = Math.floor(Math.random() * imageLimits.counterShards);
  tx.set(db.doc(`${statShardsPath(historyId)}/${shard}`), { [field]: FieldValue.increment(step) }, { merge: true });
}

/** An item's counts: the sum of its shards (one query of at most 10 small documents). */
export async function loadCounts(db: Firestore, historyId: string): Promise<ImageCounts> {
  const snap = await db.collection(statShardsPath(historyId)).get();
  const sum = (field: keyof ImageCounts) => snap.docs.reduce((n, d) => n + ((d.get(field) as number | undefined) ?? 0), 0);
  return { likeCount: sum("likeCount"), commentCount: sum("commentCount") };
}
