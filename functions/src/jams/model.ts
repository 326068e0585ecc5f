import { createHash } from "node:crypto";

/**
 * Live jams: a room with a queue of entries that participants vote up or down.
 *
 * `jams/{jamId}`: { title, hostUid, status: "open" | "closed", createdAt, closedAt? }. Every
 *   vote's transaction reads it (is the jam open?); only closeJam writes it after creation.
 * `jams/{jamId}/counters/entries`: { count }: entries so far, kept apart from the jam
 *   document so adding an entry does not contend with the votes that read the jam.
 * `jams/{jamId}/entries/{entryId}`: { title, url?, addedBy, createdAt, upvotes, downvotes,
 *   score, tallySeq }. The counts are a fold of the entry's tally shards (below), written
 *   after each vote with a compare-and-set on `tallySeq`, so a listener sees every vote and
 *   an older fold never overwrites a newer one.
 * `jams/{jamId}/tallies/{entryId}_{k}` (k < tallyShards): { entryId, up, down, changes }.
 *   A vote increments ONE random shard (a blind write, no read), so a hot entry takes many
 *   votes per second: its votes spread over the shards instead of queueing on one document.
 *   `changes` counts the vote changes a shard took: the sum over an entry's shards is the
 *   version of its counts (`tallySeq`).
 * `jams/{jamId}/votes/{entryId}_{sha256(uid)}`: { entryId, uid, value: 1 | -1 },
 *   one per user and entry; absent = no vote. The transaction of a vote reads it, so one
 *   user's concurrent votes on one entry serialize, and counts move by exactly one change.
 * `jams/{jamId}/voteLog/{id}`: { uid, entryId, from, to, at }, one per change (same transaction).
 */
export const jams = "jams";
export const entriesCollection = "entries";
export const talliesCollection = "tallies";
export const votesCollection = "votes";
export const voteLogCollection = "voteLog";
/** How long a voteLog entry is kept (TTL on `expireAt`). */
export const voteLogRetentionMs = 30 * 24 * 3600_000;
export const countersCollection = "counters";

/** Shards per entry: a vote's transaction writes one of them. */
export const tallyShards = 8;
/** Entries per jam: the queue is read whole (with its shards) on every cache miss. */
export const maxEntriesPerJam = 200;

export type VoteValue = -1 | 0 | 1;

export const jamPath = (jamId: string) => `${jams}/${jamId}`;
export const entryPath = (jamId: string, entryId: string) => `${jamPath(jamId)}/${entriesCollection}/${entryId}`;
export const tallyPath = (jamId: string, entryId: string, k: number) => `${jamPath(jamId)}/${talliesCollection}/${entryId}_${k}`;
/** The uid is hashed: any uid (any characters) gives a valid, fixed-length id. */
export const votePath = (jamId: string, entryId: string, uid: string) =>
  `${jamPath(jamId)}/${votesCollection}/${entryId}_${createHash("sha256").update(uid).digest("hex")}`;
export const entryCounterPath = (jamId: string) => `${jamPath(jamId)}/${countersCollection}/entries`;

export interface Counts {
  upvotes: number;
  downvotes: number;
  score: number;
}
