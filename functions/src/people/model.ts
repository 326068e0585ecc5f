import { createHash } from "node:crypto";

/**
 * People: users, follows, notifications (credits live in ../credits).
 *
 * `users/{uid}`: { username?, usernameKey?, displayName?, avatarUrl?, bio?, credits,
 *   followersCount, followingCount, unreadNotifications, createdAt, updatedAt }. Created by
 *   `ensureUser` on a user's first people call or someone's like, comment or follow of them,
 *   without a username: the user claims one with updateProfile (firebase-functions has no v2 Auth onCreate
 *   trigger, only blocking functions, which need Identity Platform).
 * `usernames/{usernameKey}`: { uid }: who holds a username (its lowercase form), written in
 *   the transaction that changes the user's name, so two users never hold one name.
 * `users/{uid}/following/{targetUid}` and `users/{targetUid}/followers/{uid}`: { at }, one
 *   edge written twice (both sides' lists), in the transaction that moves both counts.
 * `users/{uid}/notifications/{id}`: { type, actorUid, targetId?, read, createdAt }. The id is
 *   derived from (type, actor, target), so a like-unlike-like or follow-unfollow-follow finds
 *   the one notification it raised and does not stack another.
 */
export const users = "users";
export const usernames = "usernames";
export const following = "following";
export const followers = "followers";
export const notifications = "notifications";

export const userPath = (uid: string) => `${users}/${uid}`;
export const usernamePath = (key: string) => `${usernames}/${key}`;
export const followingPath = (uid: string, targetUid: string) => `${userPath(uid)}/${following}/${targetUid}`;
export const followerPath = (uid: string, followerUid: string) => `${userPath(uid)}/${followers}/${followerUid}`;
export const notificationsPath = (uid: string) => `${userPath(uid)}/${notifications}`;

export type NotificationType = "follow" | "like" | "comment";

/** The one notification a (type, actor, target) raises: a hash, so any ids give a valid id. */
export function notificationId(type: NotificationType, actorUid: string, targetId?: string): string {
  return `${type}_${createHash("sha256")
    .update(`${actorUid}\n${targetId ?? ""}`)
    .digest("hex")
    .slice(0, 32)}`;
}

/** The profile anyone may see. */
export interface PublicProfile {
  uid: string;
  /** The handle the user claimed; null until they claim one. */
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  bio: string | null;
  followersCount: number;
  followingCount: number;
}

/** What an item, comment or notification shows of its author: joined at read time. */
export interface UserCard {
  uid: string;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
}
