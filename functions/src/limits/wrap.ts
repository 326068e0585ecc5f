import { HttpsError, type CallableRequest, type Request } from "firebase-functions/https";
import type { Response } from "express";
import { isIPv4, isIPv6 } from "node:net";
import { redis } from "../cache/redis";
import { isClosedTransaction } from "../shared/transaction";
import { limitSettings, limitTimeoutMs } from "./config";
import * as logs from "./logs";
import { takeRate, type RateDeps, type RateKind } from "./rate";

/**
 * Which limits each endpoint counts against: the one table of them, wired by each domain's
 * index.ts through `limitedCall`/`limitedRead` (a unit test checks that every exported function
 * is in it and wired through it). Per user: every call that writes (or opens a stream, or
 * records what it served) counts against `write`, comments also against `comment`; reads of
 * one's own data count against a larger `own` limit (a canvas load or a new search of one's sets
 * is not cached). Per client
 * address: every public HTTP read counts against `read`.
 */
const write: RateKind[] = ["write"];
const own: RateKind[] = ["own"];
export const callableLimits = {
  addComment: ["comment", "write"], // the comment limit first: a refused comment spends no write
  addEntry: write,
  addToCollection: write,
  applyCanvasOps: write,
  closeJam: write,
  createCanvasMediaUpload: write,
  createCanvasProject: write,
  createCollection: write,
  createJam: write,
  deleteCollection: write,
  deleteComment: write,
  deleteNotification: write,
  deleteSet: write,
  followUser: write,
  generateArt: write,
  likeComment: write,
  likeImage: write,
  markNotificationsRead: write,
  nextArtworks: write, // records every artwork it serves, and reads up to ~2,000 documents
  recordImpressions: write,
  removeFromCollection: write,
  startArtSession: write,
  unfollowUser: write,
  unlikeComment: write,
  unlikeImage: write,
  updateCollection: write,
  updateProfile: write,
  vote: write,
  watchArtSession: write, // and a lease per open stream (src/art/watch.ts)
  collectionItems: own,
  followingFeed: own,
  getProcessingStatus: own,
  getSet: own,
  jamQueue: own,
  likedImages: own,
  listNotifications: own,
  loadCanvasProject: own,
  me: own,
  myCollections: own,
  myImageState: own,
  mySets: own,
  // The admin panel's: admins only, each write counted like a user's.
  retryDeadMirrorTasks: write,
  runMaintenanceJob: write,
  updateAestheticScore: write,
  findPublicItems: own,
  getCacheOverview: own,
  getMirrorQueueStats: own,
  getVoteDebugInfo: own,
  listMaintenanceRuns: own,
} satisfies Record<string, RateKind[]>;

/** Public HTTP endpoints: `read` per client address, or why not. */
export const httpLimits = {
  explore: "read",
  health: "read",
  imageDetails: "read",
  publicFeed: "read",
  publicGeneration: "read",
  signupImages: "read",
  userProfile: "read",
  // Called by the payment provider, signed: a forged call costs one HMAC and is refused (400).
  creditsWebhook: "not limited",
} satisfies Record<string, "read" | "not limited">;

export type LimitedCallable = keyof typeof callableLimits;
export type LimitedHttp = keyof typeof httpLimits;

/** The names wired through the wrappers, for the test that every export is. */
export const wired = new Set<string>();

const rateDeps = (): RateDeps => ({ redis: redis(), timeoutMs: limitTimeoutMs.value() });
const perMinute: Record<RateKind, () => number> = {
  write: () => limitSettings.writesPerMinute.value(),
  comment: () => limitSettings.commentsPerMinute.value(),
  read: () => limitSettings.readsPerMinute.value(),
  own: () => limitSettings.ownReadsPerMinute.value(),
};

/** The callable's handler behind its limits: a signed-in caller over a limit gets
 *  `resource-exhausted` with `details.retryAfterSeconds`, and the handler does not run. (A call
 *  without a user goes on to the handler, which refuses it.) */
export function limitedCall<A extends [CallableRequest, ...unknown[]], T>(
  name: LimitedCallable,
  handler: (...args: A) => T,
): (...args: A) => Promise<Awaited<T>> {
  wired.add(name);
  const kinds: RateKind[] = callableLimits[name];
  return async (...args: A): Promise<Awaited<T>> => {
    const uid = args[0].auth?.uid;
    if (uid !== undefined)
      for (const kind of kinds) {
        const verdict = await takeRate(rateDeps(), kind, uid, perMinute[kind]());
        if (!verdict.allowed)
          throw new HttpsError("resource-exhausted", `Too many calls: try again in ${verdict.retryAfterSeconds} s.`, {
            retryAfterSeconds: verdict.retryAfterSeconds,
          });
      }
    try {
      return await handler(...args);
    } catch (error) {
      throw contentionAsAborted(error);
    }
  };
}

/** A transaction that lost to others on the same documents after all its retries (ABORTED,
 *  or the emulator's closed transaction) answers `aborted`: the client may try again. Never
 *  INTERNAL for contention a caller cannot help. */
function contentionAsAborted(error: unknown): unknown {
  if (error instanceof HttpsError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 10 || isClosedTransaction(error)) {
    logs.contention(error); // an HttpsError is not logged by the platform: this one must be seen
    return new HttpsError("aborted", "Busy with the same data: try again.");
  }
  return error;
}

/**
 * The address a public read is counted against: the last `X-Forwarded-For` entry, which
 * Google's front end appends for the address it received the request from (a client can
 * write every entry before it, never that one); the socket's address when there is no header
 * (only locally). Behind an external HTTPS load balancer the front end appends
 * `<client>,<load balancer>`; such a deploy must count the second-to-last entry instead.
 */
export function clientAddress(req: Pick<Request, "get" | "socket">): string {
  const hops = (req.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter((hop) => hop !== "");
  return addressKey(hops.at(-1) ?? req.socket?.remoteAddress ?? "unknown");
}

/** What one client is counted as: an IPv4 address, or an IPv6 address's /64 (one subscriber
 *  holds a whole /64 and could rotate through it); anything else as it is. */
export function addressKey(address: string): string {
  const v4 = address.replace(/^::ffff:/i, "");
  if (isIPv4(v4)) return v4;
  if (!isIPv6(address)) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The HTTP handler behind the per-address read limit: over it, 429 with `Retry-After`,
 *  nothing read and nothing cached. */
export function limitedRead(
  name: LimitedHttp,
  handler: (req: Request, res: Response) => void | Promise<void>,
  deps: () => RateDeps = rateDeps,
): (req: Request, res: Response) => Promise<void> {
  wired.add(name);
  return async (req, res) => {
    if (httpLimits[name] === "read") {
      const verdict = await takeRate(deps(), "read", clientAddress(req), perMinute.read());
      if (!verdict.allowed) {
        res
          .status(429)
          .set("Retry-After", String(verdict.retryAfterSeconds))
          .set("Cache-Control", "no-store")
          .json({ error: `too many requests: try again in ${verdict.retryAfterSeconds} s` });
        return;
      }
    }
    await handler(req, res);
  };
}
