import type { CallableRequest, Request } from "firebase-functions/https";
import type { Response } from "express";
import { families } from "../cache/map";
import { parseInput, requireUserId } from "../shared/callable";
import { answerRefusals, guarded, parseQuery, sendJson } from "../shared/http";
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
import { peopleDeps } from "./runtime";
import { ensureUser, type PeopleDeps } from "./users";

// The people callables (signed-in users) and HTTP reads. Wired in index.ts.

const deps = peopleDeps;
const caller = requireUserId;

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

/** GET userProfile?uid=&limit=&cursor= */
export function userProfileHandler(readDeps: () => PeopleDeps = deps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "userProfile", async () => {
      const query = parseQuery(req, res, profileQuery);
      if (!query) return;
      await answerRefusals(res, async () => sendJson(req, res, await userProfile(readDeps(), query.uid, query.limit, query.cursor)));
    });
}

/** GET explore?q=&limit=&cursor= */
export function exploreHandler(readDeps: () => PeopleDeps = deps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "explore", async () => {
      const query = parseQuery(req, res, exploreQuery);
      if (!query) return;
      await answerRefusals(res, async () => sendJson(req, res, await explore(readDeps(), query.q, query.limit, query.cursor)));
    });
}
