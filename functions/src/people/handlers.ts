import type { Request } from "firebase-functions/https";
import { HttpsError, type CallableRequest } from "firebase-functions/https";
import type { Response } from "express";
import { cache } from "../cache/instance";
import { families } from "../cache/map";
import { parseInput, requireUser } from "../shared/callable";
import { auth, db } from "../shared/firebase";
import { badRequest, guarded, parseQuery, sendJson } from "../shared/http";
import { isDocumentId } from "../shared/ids";
import { joinActors } from "./cards";
import { setFollow } from "./follow";
import { deleteNotification, loadNotifications, markNotificationsRead } from "./notifications";
import { updateProfile } from "./profile";
import { cursorKey, explore, followingFeed, me, pagePosition, userProfile } from "./reads";
import {
  deleteNotificationInput,
  exploreQuery,
  followInput,
  markReadInput,
  noInput,
  pageInput,
  profileQuery,
  updateProfileInput,
} from "./schemas";
import { ensureUser, type PeopleDeps } from "./users";

// The people callables (signed-in users) and HTTP reads. Wired in index.ts.

const accountExists = (uid: string) =>
  auth()
    .getUser(uid)
    .then(() => true)
    .catch((error: { code?: string }) => {
      if (error?.code === "auth/user-not-found") return false;
      throw error;
    });
const deps = (): PeopleDeps => ({ db: db(), cache: cache(), accountExists });

/** The caller, whose uid names their user document (an Auth uid may hold any characters). */
function caller(request: CallableRequest): string {
  const uid = requireUser(request);
  if (!isDocumentId(uid)) throw new HttpsError("failed-precondition", "This account's uid cannot hold a profile.");
  return uid;
}

export const updateProfileHandler = (request: CallableRequest) => {
  const uid = caller(request);
  return updateProfile(deps(), uid, parseInput(updateProfileInput, request.data));
};

export const followUserHandler = (request: CallableRequest) => {
  const uid = caller(request);
  return setFollow(deps(), uid, parseInput(followInput, request.data).targetUid, true);
};

export const unfollowUserHandler = (request: CallableRequest) => {
  const uid = caller(request);
  return setFollow(deps(), uid, parseInput(followInput, request.data).targetUid, false);
};

export const meHandler = (request: CallableRequest) => {
  const uid = caller(request);
  parseInput(noInput, request.data ?? {});
  return me(deps(), uid);
};

export const followingFeedHandler = (request: CallableRequest) => {
  const uid = caller(request);
  const { limit, cursor } = parseInput(pageInput, request.data ?? {});
  return followingFeed(deps(), uid, limit, cursor);
};

export const listNotificationsHandler = async (request: CallableRequest) => {
  const uid = caller(request);
  const { limit, cursor } = parseInput(pageInput, request.data ?? {});
  const key = cursorKey(pagePosition(cursor));
  const d = deps();
  return d.cache.getOrLoad(families.notifications, { uid, limit, cursor: key }, async (dependOn) => {
    await ensureUser(d, uid); // on a miss only, as in `me`
    return joinActors(d, dependOn, await loadNotifications(d.db, uid, limit, key));
  });
};

export const markNotificationsReadHandler = async (request: CallableRequest) => {
  const uid = caller(request);
  const { ids } = parseInput(markReadInput, request.data ?? {});
  const d = deps();
  await ensureUser(d, uid);
  return markNotificationsRead(d, uid, ids);
};

export const deleteNotificationHandler = async (request: CallableRequest) => {
  const uid = caller(request);
  const { id } = parseInput(deleteNotificationInput, request.data);
  const d = deps();
  await ensureUser(d, uid);
  return deleteNotification(d, uid, id);
};

/** A read's refusal as HTTP: a tampered cursor is 400, an unknown user 404. */
async function answering(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof HttpsError && error.code === "invalid-argument") return void badRequest(res, error.message);
    if (error instanceof HttpsError && error.code === "not-found")
      return void res.status(404).set("Cache-Control", "no-cache").json({ error: "not found" });
    throw error;
  }
}

/** GET userProfile?uid=&limit=&cursor= */
export function userProfileHandler(readDeps: () => PeopleDeps = deps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "userProfile", async () => {
      const query = parseQuery(req, res, profileQuery);
      if (!query) return;
      await answering(res, async () => sendJson(req, res, await userProfile(readDeps(), query.uid, query.limit, query.cursor)));
    });
}

/** GET explore?q=&limit=&cursor= */
export function exploreHandler(readDeps: () => PeopleDeps = deps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "explore", async () => {
      const query = parseQuery(req, res, exploreQuery);
      if (!query) return;
      await answering(res, async () => sendJson(req, res, await explore(readDeps(), query.q, query.limit, query.cursor)));
    });
}
