import { FieldPath, Timestamp, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import type { ArtDeps } from "./deps";
import * as logs from "./logs";
import {
  artLimits,
  artRetention,
  artworkPath,
  artworks,
  artworkView,
  expiresAfter,
  impressionPath,
  sessionPath,
  viewerPath,
  type ArtworkView,
} from "./model";
import { bandsOf, coverBands, gapsOf, horizonOf, type Band, type Covered, type PoolKey } from "./pool";
import { liveSession, recordSessionUse, requireLiveSession, useSessionIn } from "./sessions";

/** Artworks one call may examine in the pool's gaps: a call's cost is bounded, and what it
 *  examined becomes a band, so the next call goes on from there. */
const scanBudget = 1000;
const pageSize = 100;
/** Concurrent calls of one user (two tabs) serialize on the viewer document: a call whose scan
 *  raced another's commit scans again. */
const maxRounds = 5;

/** A session's artworks made at `sinceMs` or later, newest first (the `(sessionId, createdAt
 *  desc)` index): nextArtworks' fresh art and watchArtSession's listener. */
export const sessionArtworks = (db: Firestore, sessionId: string, sinceMs: number) =>
  db
    .collection(artworks)
    .where("sessionId", "==", sessionId)
    .where("createdAt", ">=", Timestamp.fromMillis(sinceMs))
    .orderBy("createdAt", "desc");

const keyOf = (doc: DocumentSnapshot): PoolKey => ({ t: doc.get("createdAt") as Timestamp, id: doc.id });

/**
 * `nextArtworks({ sessionId, limit })`: first the session's own artworks of the last 15
 * minutes, newest first (they may repeat: impressions never hide them, so a new artwork is
 * in the very next call after its request is done, whatever impressions were recorded
 * meanwhile), then the newest artworks of the pool that this user has never been shown.
 *
 * The pool's part is scanned outside any transaction (pool.ts: only the gaps between the
 * user's bands), then ONE transaction re-reads the viewer's version, the session and the
 * chosen artworks' impressions, and writes an impression for each artwork returned, the new
 * bands and the session's use. A pool artwork is never returned twice to a user: each one
 * returned gets its impression in the transaction that returns it, and every later scan skips
 * impressions (two tabs racing: the second's version check fails and it scans again).
 */
export async function nextArtworks(deps: ArtDeps, uid: string, sessionId: string, limit: number): Promise<{ artworks: ArtworkView[] }> {
  const { db } = deps;
  const now = deps.now();
  // One round trip for the three first reads; nothing is answered before the session is checked.
  const [, fresh, firstViewer] = await Promise.all([
    liveSession(db, uid, sessionId, now),
    sessionArtworks(db, sessionId, now - artLimits.freshWindowMs)
      .limit(limit)
      .get(),
    db.doc(viewerPath(uid)).get(),
  ]);
  for (let round = 1; round <= maxRounds; round++) {
    const viewer = round === 1 ? firstViewer : await db.doc(viewerPath(uid)).get();
    const version = (viewer.get("version") as number | undefined) ?? 0;
    const bands = bandsOf(viewer.get("seen"));
    const want = limit - fresh.size;
    const scan = want > 0 ? await scanPool(db, uid, bands, new Set(fresh.docs.map((d) => d.id)), want) : undefined;
    const chosen = [...fresh.docs, ...(scan?.picked ?? [])];
    const answer = await db.runTransaction(async (tx) => {
      const [viewerNow, session, ...marks] = await tx.getAll(
        db.doc(viewerPath(uid)),
        db.doc(sessionPath(sessionId)),
        ...chosen.map((d) => db.doc(impressionPath(uid, d.id))),
      );
      requireLiveSession(session!, uid, now);
      if (((viewerNow!.get("version") as number | undefined) ?? 0) !== version) return undefined;
      const at = Timestamp.fromMillis(now);
      const shown = chosen.filter((doc, i) => {
        if (marks[i]!.exists) return i < fresh.size; // a pool artwork shown meanwhile (recordImpressions) is dropped
        tx.set(marks[i]!.ref, { at, sessionId, via: "served", expireAt: expiresAfter(now, artRetention.impressionMs) });
        return true;
      });
      const seen = scan ? coverBands(bands, scan.covered, horizonOf(scan.readTime)) : bands;
      tx.set(viewerNow!.ref, { seen, version: version + 1, updatedAt: at });
      useSessionIn(tx, session!, now);
      return shown;
    });
    if (answer) {
      logs.served(uid, sessionId, fresh.size, answer.length - fresh.size, scan?.examined ?? 0);
      return { artworks: answer.map((doc) => artworkView(doc, uid)) };
    }
  }
  throw new HttpsError("aborted", "Too many nextArtworks calls at once for this user: try again.");
}

/** The newest `want` artworks outside the user's bands that have no impression and are not
 *  in `exclude`, examining at most `scanBudget`; and how far it got in each gap. */
async function scanPool(db: Firestore, uid: string, bands: Band[], exclude: Set<string>, want: number) {
  const picked: DocumentSnapshot[] = [];
  const covered = new Map<number, Covered>();
  let examined = 0;
  let readTime: Timestamp | undefined;
  const gaps = gapsOf(bands);
  for (let g = 0; g < gaps.length && picked.length < want && examined < scanBudget; g++) {
    const gap = gaps[g]!;
    let after = gap.above;
    for (let first = true; ; first = false) {
      const size = first ? Math.min(pageSize, want - picked.length + exclude.size + 5) : pageSize;
      let query = db.collection(artworks).orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc");
      if (after) query = query.startAfter(after.t, db.doc(artworkPath(after.id)));
      if (gap.below) query = query.endBefore(gap.below.t, db.doc(artworkPath(gap.below.id)));
      const page = await query.limit(size).get();
      readTime ??= page.readTime;
      const marks = page.empty ? [] : await db.getAll(...page.docs.map((d) => db.doc(impressionPath(uid, d.id))));
      let stoppedAt: PoolKey | undefined;
      for (const [i, doc] of page.docs.entries()) {
        examined++;
        if (!exclude.has(doc.id) && !marks[i]!.exists) picked.push(doc);
        if (picked.length >= want || examined >= scanBudget) {
          stoppedAt = keyOf(doc);
          break;
        }
      }
      if (stoppedAt) {
        covered.set(g, stoppedAt);
        break;
      }
      if (page.size < size) {
        covered.set(g, "all");
        break;
      }
      after = keyOf(page.docs[page.size - 1]!);
    }
  }
  return { picked, covered, examined, readTime: readTime! };
}

/** `recordImpressions({ sessionId, artworkIds })`: the app showed these (from the stream, say),
 *  so the pool never offers them to this user. Unknown ids are skipped; idempotent. */
export async function recordImpressions(deps: ArtDeps, uid: string, sessionId: string, artworkIds: string[]) {
  const { db } = deps;
  const now = deps.now();
  const session = await liveSession(db, uid, sessionId, now);
  const found = await db.getAll(...artworkIds.map((id) => db.doc(artworkPath(id))));
  const batch = db.batch();
  const at = Timestamp.fromMillis(now);
  const known = found.filter((d) => d.exists);
  for (const doc of known)
    batch.set(db.doc(impressionPath(uid, doc.id)), {
      at,
      sessionId,
      via: "recorded",
      expireAt: expiresAfter(now, artRetention.impressionMs),
    });
  await Promise.all([known.length > 0 ? batch.commit() : undefined, recordSessionUse(session, now)]);
  return { recorded: known.length, unknown: artworkIds.length - known.length };
}
