import { randomUUID } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import * as logs from "./logs";
import { entryPath, jamPath, voteLogCollection, voteLogRetentionMs, votePath, type Counts, type VoteValue } from "./model";
import { invalidateJam, type JamDeps } from "./room";
import type { VoteInput } from "./schemas";
import { addToTally, foldAfterCommit, readTallies } from "./tally";
import { runContendedTransaction } from "../shared/transaction";

export interface VoteResult extends Counts {
  entryId: string;
  myVote: VoteValue;
  /** "confirmed": every participant's next jamQueue shows this vote. "pending": Redis did not
   *  confirm the invalidation within 10 s; the outbox replay finishes it (within a minute). */
  invalidation: "confirmed" | "pending";
}

/**
 * Sets the caller's vote on an entry (1, -1, or 0 to clear). One transaction reads the jam
 * (open?) and the caller's vote, and if it changes: writes the vote, a voteLog entry, one
 * tally shard (+/- one per side) and the cache outbox entry. After the commit it folds the
 * entry's counts onto its document (listeners) and bumps the jam's tag (the queue every
 * participant reads), then answers the counts read from the shards after the commit: a
 * committed state that includes this vote, never an estimate. The same vote twice writes
 * nothing; a switch moves one vote from one side to the other.
 */
export async function vote(deps: JamDeps, uid: string, input: VoteInput): Promise<VoteResult> {
  const { db } = deps;
  const { jamId, entryId, value } = input;
  const jamRef = db.doc(jamPath(jamId));
  // Entries are never deleted, so their existence is checked outside the transaction: the hot
  // entry's document (rewritten by every fold) stays out of every vote's reads. (No entry
  // without its jam: the transaction reads the jam itself.)
  const entry = await db.doc(entryPath(jamId, entryId)).get();
  if (!entry.exists) throw new HttpsError("not-found", "No such jam or entry.");
  const voteRef = db.doc(votePath(jamId, entryId, uid));
  const outboxId = `vote-${randomUUID()}`;
  const from = await runContendedTransaction(
    db,
    async (tx) => {
      const [current, ballot] = await tx.getAll(jamRef, voteRef);
      if (current!.get("status") !== "open") throw new HttpsError("failed-precondition", "This jam is closed: votes are no longer taken.");
      const from = (ballot!.exists ? (ballot!.get("value") as VoteValue) : 0) as VoteValue;
      if (from === value) return from;
      const at = Timestamp.now();
      if (value === 0) tx.delete(voteRef);
      else tx.set(voteRef, { entryId, uid, value, at });
      // The log is for debugging (getVoteDebugInfo shows its newest entries; recounts read the
      // votes): kept 30 days, then deleted by a TTL policy on expireAt.
      tx.create(jamRef.collection(voteLogCollection).doc(), {
        uid,
        entryId,
        from,
        to: value,
        at,
        expireAt: Timestamp.fromMillis(at.toMillis() + voteLogRetentionMs),
      });
      addToTally(db, tx, jamId, entryId, Number(value === 1) - Number(from === 1), Number(value === -1) - Number(from === -1));
      recordInTransaction(db, tx, outboxId, writes.jamChanged.tags({ jamId }), at.toMillis());
      return from;
      // One user's concurrent votes on one entry serialize on their vote document; more
      // attempts than the SDK's 5 so a burst of taps never reaches the user as an error.
    },
    10,
  );
  if (from === value) {
    const tally = (await readTallies(db, jamId, entryId)).get(entryId)!;
    // A repeated vote (a client retrying) repairs an entry document its fold never reached.
    if (((entry.get("tallySeq") as number) ?? 0) < tally.seq) void foldAfterCommit(db, jamId, entryId).catch(() => undefined);
    return { entryId, upvotes: tally.upvotes, downvotes: tally.downvotes, score: tally.score, myVote: value, invalidation: "confirmed" };
  }
  logs.voted(jamId, entryId, uid, from, value);
  const [tally, confirmed] = await Promise.all([
    // The vote is committed: a failed fold must not fail it. The entry document is then
    // folded by onJamTallyWritten (the shard's write trigger) or the next vote or queue load.
    foldAfterCommit(db, jamId, entryId).catch(async (error: unknown) => {
      logs.foldFailed(jamId, entryId, error);
      return (await readTallies(db, jamId, entryId)).get(entryId)!;
    }),
    invalidateJam(deps, outboxId, jamId),
  ]);
  const { upvotes, downvotes, score } = tally;
  return { entryId, upvotes, downvotes, score, myVote: value, invalidation: confirmed ? "confirmed" : "pending" };
}
