import { onCall, onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import {
  deleteNotificationHandler,
  exploreHandler,
  followingFeedHandler,
  followUserHandler,
  listNotificationsHandler,
  markNotificationsReadHandler,
  meHandler,
  unfollowUserHandler,
  updateProfileHandler,
  userProfileHandler,
} from "./handlers";
import { appCheck } from "../limits/config";
import { limitedCall, limitedRead } from "../limits/wrap";

// Wiring only: the logic is in profile.ts, follow.ts, notifications.ts and reads.ts.

const withCache = { secrets: [upstashToken], ...appCheck };

export const updateProfile = onCall(withCache, limitedCall("updateProfile", updateProfileHandler));
export const followUser = onCall(withCache, limitedCall("followUser", followUserHandler));
export const unfollowUser = onCall(withCache, limitedCall("unfollowUser", unfollowUserHandler));
export const me = onCall(withCache, limitedCall("me", meHandler));
export const followingFeed = onCall(withCache, limitedCall("followingFeed", followingFeedHandler));
export const listNotifications = onCall(withCache, limitedCall("listNotifications", listNotificationsHandler));
export const markNotificationsRead = onCall(withCache, limitedCall("markNotificationsRead", markNotificationsReadHandler));
export const deleteNotification = onCall(withCache, limitedCall("deleteNotification", deleteNotificationHandler));
export const userProfile = onRequest({ ...withCache, cors: true }, limitedRead("userProfile", userProfileHandler()));
export const explore = onRequest({ ...withCache, cors: true }, limitedRead("explore", exploreHandler()));
