import { Timestamp, type DocumentSnapshot } from "firebase-admin/firestore";

/**
 * Art sessions: a user generates art in a server-held session and sees it at once.
 *
 * `artSessions/{sessionId}`: { uid, createdAt, lastUsedAt, expiresAt }. A session lives 24 h
 *   after its last use (every art call on it moves `expiresAt`); a Firestore TTL policy on
 *   `expiresAt` deletes it later, and until then every read treats an expired one as gone.
 * `artRequests/{requestId}`: { uid, sessionId, status: queued|done|failed, prompt, musicInfo?,
 *   preferences?, audioAnalysisJson?, cost, attempt, failures, checkAt, createdAt, updatedAt,
 *   artworkId?, error?, lastError?, refunded?, finishedAt? }. Written by generateArt in the
 *   transaction that spends its credits; `attempt` counts dispatches (a new value dispatches the
 *   worker again); `checkAt` is when the recovery job looks at it if it is still queued. The live
 *   stage and progress are in Redis (`processing:{requestId}`, see status.ts).
 * `artworks/{artworkId}`: { uid, sessionId, requestId, imageUrl, storagePath, prompt, provider,
 *   contentType, width, height, createdAt }. The id is the request's: one request, one artwork,
 *   however often its worker runs.
 * `artViewers/{uid}`: { seen: [{ hi, lo }], version, updatedAt }: the ranges of the pool this
 *   user has been shown whole (pool.ts); `artViewers/{uid}/impressions/{artworkId}`: { at,
 *   sessionId, via: served|recorded }: each artwork shown to the user.
 */
export const artSessions = "artSessions";
export const artRequests = "artRequests";
export const artworks = "artworks";
export const artViewers = "artViewers";
export const impressions = "impressions";

export const sessionPath = (sessionId: string) => `${artSessions}/${sessionId}`;
export const requestPath = (requestId: string) => `${artRequests}/${requestId}`;
export const artworkPath = (artworkId: string) => `${artworks}/${artworkId}`;
export const viewerPath = (uid: string) => `${artViewers}/${uid}`;
export const impressionPath = (uid: string, artworkId: string) => `${viewerPath(uid)}/${impressions}/${artworkId}`;

/** How long what the art pipeline writes is kept, then deleted by a TTL policy on `expireAt`
 *  (firestore.indexes.json): an ended request (its clientRequestId retry window), and an
 *  impression (after which the artwork may be served to that user again, unless a band of
 *  their `seen` ranges covers it). */
export const artRetention = { endedRequestMs: 30 * 24 * 3600_000, impressionMs: 90 * 24 * 3600_000 };
export const expiresAfter = (now: number, ms: number) => Timestamp.fromMillis(now + ms);

export const artLimits = {
  /** A session lives this long after its last use. */
  sessionLifeMs: 24 * 3600_000,
  /** A session's own artworks come first in nextArtworks for this long after they are made. */
  freshWindowMs: 15 * 60_000,
  promptChars: 2000,
  /** audioAnalysis as JSON, in UTF-8 bytes. */
  audioAnalysisBytes: 64 * 1024,
  impressionsPerCall: 100,
  /** A Redis processing entry lives this long after its last update. */
  statusTtlSeconds: 24 * 3600,
} as const;

export type RequestStatus = "queued" | "done" | "failed";

/** An artwork as every read returns it. */
/** An artwork as a user sees it: `uid` and `sessionId` only on the user's own (the pool shows
 *  everyone's artworks, not who made them in which session). */
export interface ArtworkView {
  artworkId: string;
  sessionId?: string;
  uid?: string;
  imageUrl: string;
  prompt: string;
  createdAt: string;
}

export function artworkView(doc: DocumentSnapshot, viewerUid: string): ArtworkView {
  const own = doc.get("uid") === viewerUid;
  return {
    artworkId: doc.id,
    ...(own ? { sessionId: doc.get("sessionId") as string, uid: viewerUid } : {}),
    imageUrl: doc.get("imageUrl") as string,
    prompt: (doc.get("prompt") as string | undefined) ?? "",
    createdAt: (doc.get("createdAt") as Timestamp).toDate().toISOString(),
  };
}
