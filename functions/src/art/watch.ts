import type { Firestore, Timestamp } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { limitSettings } from "../limits/config";
import { leaseRenewMs, leaseTtlMs, newLeaseId, releaseLease, renewLease, takeLease } from "../limits/leases";
import * as logs from "./logs";
import { artworkView, type ArtworkView } from "./model";
import { sessionArtworks } from "./next";
import { liveSession, recordSessionUse } from "./sessions";

/** What a watch sends: each new artwork of the session. */
export interface WatchChunk {
  artwork: ArtworkView;
}
export interface WatchEnd {
  ended: "disconnected" | "timeout";
}
/** The part of a streaming callable's response a watch uses. */
export interface ChunkSink {
  sendChunk(chunk: WatchChunk): Promise<boolean>;
  signal: AbortSignal;
}

/** A watch ends before the function's timeout (3,600 s); the app watches again. */
export const maxWatchMs = 55 * 60_000;
/** The listener's window starts this long before the call: an artwork written in the last
 *  moments before the listener was live is in its first snapshot, and sent from there. */
const lookbackMs = 60_000;

/**
 * `watchArtSession({ sessionId })`, a streaming callable (SSE): sends `{ artwork }` for each
 * artwork of the session written after the call, as the Firestore listener delivers it
 * (milliseconds after the write). The platform sends heartbeats (`: ping`, every
 * `heartbeatSeconds`) while nothing else is sent. It ends when the client disconnects (the
 * response's abort signal: the listener is removed at once) or after `maxWatchMs`.
 */
export async function watchArtSession(
  db: Firestore,
  uid: string,
  sessionId: string,
  sink: ChunkSink,
  streaming: boolean,
  now: () => number,
  maxMs = maxWatchMs,
  streamsPerUser = limitSettings.streamsPerUser.value(),
): Promise<WatchEnd> {
  const startedAt = now();
  const session = await liveSession(db, uid, sessionId, startedAt);
  if (!streaming) throw new HttpsError("failed-precondition", "watchArtSession streams: call it with stream().");
  // One of the user's few open streams (src/limits/leases.ts), renewed while the watch runs
  // and given back when it ends.
  const lease = newLeaseId(db);
  let renewal: NodeJS.Timeout | undefined;
  try {
    await takeLease(db, uid, lease, streamsPerUser, leaseTtlMs, startedAt);
    renewal = setInterval(
      () => void renewLease(db, uid, lease, leaseTtlMs, now()).catch((error: unknown) => logs.leaseNotRenewed(uid, error)),
      leaseRenewMs,
    );
    await recordSessionUse(session, startedAt);
    if (sink.signal.aborted) return { ended: "disconnected" };
    return await watch(db, uid, sessionId, sink, now, maxMs, startedAt);
  } finally {
    clearInterval(renewal);
    await releaseLease(db, uid, lease).catch((error: unknown) => logs.leaseNotReleased(uid, error));
  }
}

function watch(db: Firestore, uid: string, sessionId: string, sink: ChunkSink, now: () => number, maxMs: number, startedAt: number) {
  logs.watchStarted(uid, sessionId);
  const query = sessionArtworks(db, sessionId, startedAt - lookbackMs);
  return new Promise<WatchEnd>((resolve, reject) => {
    let first = true;
    let sent = 0;
    const send = (artwork: ArtworkView) => {
      sent++;
      void sink.sendChunk({ artwork }).catch((error: unknown) => logs.chunkNotSent(sessionId, error));
    };
    const stop = () => {
      unsubscribe();
      clearTimeout(timer);
      sink.signal.removeEventListener("abort", onAbort);
    };
    const finish = (ended: WatchEnd["ended"]) => {
      stop();
      logs.watchEnded(uid, sessionId, ended, sent, now() - startedAt);
      resolve({ ended });
    };
    const onAbort = () => finish("disconnected");
    const unsubscribe = query.onSnapshot(
      (snap) => {
        const added = snap.docChanges().filter((c) => c.type === "added");
        // The first snapshot holds what existed when the listener started: only artworks
        // written after the call are new. Oldest first, as they were made.
        for (const change of added.reverse()) {
          if (!first || (change.doc.get("createdAt") as Timestamp).toMillis() >= startedAt) send(artworkView(change.doc, uid));
        }
        first = false;
      },
      (error) => {
        stop();
        logs.watchFailed(sessionId, error);
        reject(new HttpsError("unavailable", "The session's stream stopped: watch again."));
      },
    );
    const timer = setTimeout(() => finish("timeout"), maxMs);
    sink.signal.addEventListener("abort", onAbort);
    if (sink.signal.aborted) onAbort();
  });
}
