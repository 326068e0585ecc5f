import type { Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { families } from "../cache/map";
import { entriesCollection, jamPath, voteLogCollection, votesCollection, type Counts, type VoteValue } from "./model";
import type { JamDeps } from "./room";
import { foldAfterCommit, readTallies } from "./tally";

export interface QueueEntry extends Counts {
  entryId: string;
  title: string;
  url: string | null;
}

/** What every participant sees the same: cached once per jam, for everyone. */
export interface SharedQueue {
  entries: QueueEntry[];
}

/**
 * The shared part of a jam's queue: entries with counts summed from their tally shards (the
 * counts' source of truth), by score (desc), then createdAt, then id; not-found for an
 * unknown jam. An entry whose document lags its shards (a fold that never landed: a crashed or
 * out-raced vote) is folded here, so listeners catch up on the next queue read.
 */
export async function loadSharedQueue(db: Firestore, jamId: string): Promise<SharedQueue> {
  const [jam, entries, tallies] = await Promise.all([
    db.doc(jamPath(jamId)).get(),
    db.collection(`${jamPath(jamId)}/${entriesCollection}`).get(),
    readTallies(db, jamId),
  ]);
  // Thrown, not cached: an unknown id leaves no entry in Redis.
  if (!jam.exists) throw new HttpsError("not-found", "No such jam.");
  const rows = entries.docs.map((doc) => {
    const tally = tallies.get(doc.id) ?? { upvotes: 0, downvotes: 0, score: 0, seq: 0 };
    return { doc, tally };
  });
  // Repairs, not waited for: the counts answered here come from the shards anyway.
  for (const { doc, tally } of rows)
    if (((doc.get("tallySeq") as number) ?? 0) < tally.seq) void foldAfterCommit(db, jamId, doc.id).catch(() => undefined);
  rows.sort(
    (a, b) =>
      b.tally.score - a.tally.score ||
      a.doc.get("createdAt").toMillis() - b.doc.get("createdAt").toMillis() ||
      (a.doc.id < b.doc.id ? -1 : a.doc.id > b.doc.id ? 1 : 0),
  );
  return {
    entries: rows.map(({ doc, tally }) => ({
      entryId: doc.id,
      title: doc.get("title") as string,
      url: (doc.get("url") as string | undefined) ?? null,
      upvotes: tally.upvotes,
      downvotes: tally.downvotes,
      score: tally.score,
    })),
  };
}

/** `jamQueue`: the shared queue (from the cache) and the caller's own votes (never cached in
 *  the shared entry: read per call from the caller's vote documents). */
export async function jamQueue(deps: JamDeps, uid: string, jamId: string) {
  const [shared, mine] = await Promise.all([
    deps.cache.getOrLoad(families.jamQueue, { jamId }, () => loadSharedQueue(deps.db, jamId)),
    deps.db
      .collection(`${jamPath(jamId)}/${votesCollection}`)
      .where("uid", "==", uid)
      .get(),
  ]);
  const myVotes: Record<string, VoteValue> = {};
  for (const doc of mine.docs) myVotes[doc.get("entryId") as string] = doc.get("value") as VoteValue;
  return { entries: shared.entries, myVotes };
}

const countsOf = (up: number, down: number): Counts => ({ upvotes: up, downvotes: down, score: up - down });
const same = (a: Counts, b: Counts) => a.upvotes === b.upvotes && a.downvotes === b.downvotes;

/** `getVoteDebugInfo` (admins): the newest vote log entries, and per entry the counts on its
 *  document and in its shards next to a recount of the vote documents. */
export async function voteDebugInfo(db: Firestore, jamId: string, limit: number) {
  const jam = await db.doc(jamPath(jamId)).get();
  if (!jam.exists) throw new HttpsError("not-found", "No such jam.");
  const [log, entries, votes, tallies] = await Promise.all([
    db
      .collection(`${jamPath(jamId)}/${voteLogCollection}`)
      .orderBy("at", "desc")
      .limit(limit)
      .get(),
    db.collection(`${jamPath(jamId)}/${entriesCollection}`).get(),
    db.collection(`${jamPath(jamId)}/${votesCollection}`).get(),
    readTallies(db, jamId),
  ]);
  const recounts = new Map<string, [number, number]>();
  for (const doc of votes.docs) {
    const [up, down] = recounts.get(doc.get("entryId")) ?? [0, 0];
    recounts.set(doc.get("entryId"), doc.get("value") === 1 ? [up + 1, down] : [up, down + 1]);
  }
  return {
    jamId,
    status: jam.get("status") as string,
    recentVotes: log.docs.map((d) => ({
      uid: d.get("uid") as string,
      entryId: d.get("entryId") as string,
      from: d.get("from") as number,
      to: d.get("to") as number,
      at: d.get("at").toDate().toISOString() as string,
    })),
    entries: entries.docs.map((doc) => {
      const stored = countsOf(doc.get("upvotes") ?? 0, doc.get("downvotes") ?? 0);
      const t = tallies.get(doc.id);
      const tally = countsOf(t?.upvotes ?? 0, t?.downvotes ?? 0);
      const recount = countsOf(...(recounts.get(doc.id) ?? [0, 0]));
      return { entryId: doc.id, stored, tally, recount, agree: same(stored, recount) && same(tally, recount) };
    }),
  };
}
