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

// Wiring only: the logic is in profile.ts, follow.ts, notifications.ts and reads.ts.

const withCache = { secrets: [upstashToken] };

export const updateProfile = onCall(withCache, updateProfileHandler);
export const followUser = onCall(withCache, followUserHandler);
export const unfollowUser = onCall(withCache, unfollowUserHandler);
export const me = onCall(withCache, meHandler);
export const followingFeed = onCall(withCache, followingFeedHandler);
export const listNotifications = onCall(withCache, listNotificationsHandler);
export const markNotificationsRead = onCall(withCache, markNotificationsReadHandler);
export const deleteNotification = onCall(withCache, deleteNotificationHandler);
export const userProfile = onRequest({ ...withCache, cors: true }, userProfileHandler());
export const explore = onRequest({ ...withCache, cors: true }, exploreHandler());
