import { FieldValue, type Firestore, type Transaction } from "firebase-admin/firestore";
import { entryPath, jamPath, talliesCollection, tallyPath, tallyShards, type Counts } from "./model";
import * as logs from "./logs";

export interface Tally extends Counts {
  /** How many vote changes these counts include: their version. */
  seq: number;
}

const zero = (): Tally => ({ upvotes: 0, downvotes: 0, score: 0, seq: 0 });

/** Adds one vote change to a random shard of the entry: a blind increment, so concurrent
 *  votes on a hot entry do not queue on one document. */
export function addToTally(db: Firestore, tx: Transaction, jamId: string, entryId: string, up: number, down: number, random = Math.random) {
  const k = Math.floor(random() * tallyShards);
  tx.set(
    db.doc(tallyPath(jamId, entryId, k)),
    { entryId, up: FieldValue.increment(up), down: FieldValue.increment(down), changes: FieldValue.increment(1) },
    { merge: true },
  );
}

/** The tallies of a jam's entries (all, or one), summed from their shards in one query
 *  (one read time: the counts and their seq belong together). */
export async function readTallies(db: Firestore, jamId: string, entryId?: string): Promise<Map<string, Tally>> {
  const shards = db.collection(`${jamPath(jamId)}/${talliesCollection}`);
  const docs = (await (entryId === undefined ? shards : shards.where("entryId", "==", entryId)).get()).docs;
  const tallies = new Map<string, Tally>();
  for (const doc of docs) {
    const id = doc.get("entryId") as string;
    const t = tallies.get(id) ?? zero();
    t.upvotes += (doc.get("up") as number) ?? 0;
    t.downvotes += (doc.get("down") as number) ?? 0;
    t.seq += (doc.get("changes") as number) ?? 0;
    t.score = t.upvotes - t.downvotes;
    tallies.set(id, t);
  }
  if (entryId !== undefined && !tallies.has(entryId)) tallies.set(entryId, zero());
  return tallies;
}

const foldAttempts = 30;

/**
 * Writes an entry's counts onto its document, for listeners and the queue's order: re-reads
 * the shards and sets the counts only if they are newer than the ones there (`tallySeq`),
 * with a precondition on the document's update time, retried until it lands or a newer
 * fold is there. So folds of concurrent votes can land in any order and the document ends
 * at the newest counts. Idempotent. Returns the counts read last.
 */
export async function foldTally(db: Firestore, jamId: string, entryId: string): Promise<Tally> {
  const ref = db.doc(entryPath(jamId, entryId));
  let tally = zero();
  for (let attempt = 1; attempt <= foldAttempts; attempt++) {
    tally = (await readTallies(db, jamId, entryId)).get(entryId)!;
    const entry = await ref.get();
    if (!entry.exists || ((entry.get("tallySeq") as number) ?? 0) >= tally.seq) return tally;
    try {
      await ref.update(
        { upvotes: tally.upvotes, downvotes: tally.downvotes, score: tally.score, tallySeq: tally.seq },
        { lastUpdateTime: entry.updateTime! },
      );
      return tally;
    } catch (error) {
      if ((error as { code?: number }).code !== 9) throw error; // 9: FAILED_PRECONDITION, another fold came first
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
  logs.foldGaveUp(jamId, entryId, tally.seq);
  return tally;
}

/** Per entry in this instance: the fold running now, and one not started yet. */
const folds = new Map<string, { tail: Promise<Tally>; queued: Promise<Tally> | null }>();

/**
 * `foldTally` for a vote that has just committed, shared with the other votes of this
 * instance on the same entry: a fold that has not started yet reads the shards after this
 * commit, so joining it is enough; otherwise one is queued behind the running one. So a hot
 * entry gets at most one fold running and one waiting per instance, instead of one per vote
 * racing on its compare-and-set. (A few lines of our own: what is coalesced is specific —
 * only a fold that has not started may be joined.)
 */
export function foldAfterCommit(db: Firestore, jamId: string, entryId: string): Promise<Tally> {
  const key = `${jamId}/${entryId}`;
  const chain = folds.get(key);
  if (chain?.queued) return chain.queued;
  const next: Promise<Tally> = (chain?.tail ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => {
      const current = folds.get(key);
      if (current?.queued === next) current.queued = null; // started: later votes queue a new one
      return foldTally(db, jamId, entryId);
    });
  folds.set(key, { tail: next, queued: next });
  void next
    .finally(() => {
      if (folds.get(key)?.tail === next) folds.delete(key);
    })
    .catch(() => undefined);
  return next;
}
