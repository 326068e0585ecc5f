import { userPath } from "../people/model";

/**
 * Images: likes, comments, collections and a user's own sets.
 *
 * `users/{uid}/likes/{historyId}`: { at }: the user's like of a public item (their liked list,
 *   newest first). The edge lives with the liker, so unpublishing an item touches no liker:
 *   the list joins each item's `generation` tag and drops what is no longer public.
 * `imageStats/{historyId}/shards/{0..9}`: { likeCount, commentCount }: an item's counts as
 *   sharded counters (a like increments one random shard, blind), so a hot item is not one
 *   document every liker writes (Firestore sustains about one write per second per document).
 * `imageComments/{historyId}/comments/{commentId}`: { uid, text, likeCount, createdAt }.
 * `users/{uid}/commentLikes/{commentId}`: { historyId, at }: the user's like of a comment
 *   (comment ids are Firestore auto ids, unique across items).
 * `users/{uid}/collections/{collectionId}`: { name, description, itemCount, createdAt, updatedAt },
 *   and `.../items/{historyId}`: { at }. Under the owner's path, so someone else's collection
 *   is simply not there (`not-found`, the same as a missing one).
 * `users/{uid}/saved/{historyId}`: { collectionIds }: which of the user's collections hold an
 *   item (their saved state in one read; ids of deleted collections are dropped on read).
 * Sets are `generationHistory/{uid}/items/{historyId}` (see ../mirror); deleteSet soft-deletes.
 */
export const imageStats = "imageStats";
export const imageComments = "imageComments";

export const likePath = (uid: string, historyId: string) => `${userPath(uid)}/likes/${historyId}`;
export const likesPath = (uid: string) => `${userPath(uid)}/likes`;
export const statShardsPath = (historyId: string) => `${imageStats}/${historyId}/shards`;
export const commentsPath = (historyId: string) => `${imageComments}/${historyId}/comments`;
export const commentPath = (historyId: string, commentId: string) => `${commentsPath(historyId)}/${commentId}`;
export const commentLikePath = (uid: string, commentId: string) => `${userPath(uid)}/commentLikes/${commentId}`;
export const commentLikesPath = (uid: string) => `${userPath(uid)}/commentLikes`;
export const collectionsPath = (uid: string) => `${userPath(uid)}/collections`;
export const collectionPath = (uid: string, collectionId: string) => `${collectionsPath(uid)}/${collectionId}`;
export const collectionItemsPath = (uid: string, collectionId: string) => `${collectionPath(uid, collectionId)}/items`;
export const collectionItemPath = (uid: string, collectionId: string, historyId: string) =>
  `${collectionItemsPath(uid, collectionId)}/${historyId}`;
export const savedPath = (uid: string, historyId: string) => `${userPath(uid)}/saved/${historyId}`;

/** Product limits: what one user can make grow. */
export const imageLimits = { collectionsPerUser: 100, itemsPerCollection: 1000, likedCommentsRead: 500, counterShards: 10 };

export interface CommentView {
  commentId: string;
  uid: string;
  username: string | null;
  text: string;
  likeCount: number;
  createdAt: string;
}
