/**
 * The invalidation map: every cached read (a family of entries) and every write action, each
 * with the tags it reads or bumps. A domain names the write it made (`writes.mirrorChanged`);
 * only this module knows which tags that is. A write and a read that share a tag are a
 * (write, read) pair: the write makes the read stale, and the cache refuses the stale entry.
 */
import { redisKeys } from "./keys";

// Key parts that come from outside (cursors, ids) are URI-encoded, so a ":" inside one can
// never make two different parameter sets share a key (or a tag of two ids, one tag).
const part = (value: string) => encodeURIComponent(value);

/** The tag builders. A tag's kind is the part before the first ":". */
export const tags = {
  feed: () => "feed:public",
  generation: (historyId: string) => `generation:${historyId}`,
  user: (uid: string) => `user:${uid}`,
  signup: () => "signup:images",
  jam: (jamId: string) => `jam:${jamId}`,
  /** A user's profile: its fields and follow counts. */
  profile: (uid: string) => `profile:${uid}`,
  /** A user's name and avatar as shown beside their items (not their counts: a follow leaves it). */
  card: (uid: string) => `card:${uid}`,
  /** What only the user sees about their account: credits and unread notifications. */
  account: (uid: string) => `account:${uid}`,
  /** Whom a user follows (their following feed's set of creators). */
  following: (uid: string) => `following:${uid}`,
  /** A user's notification list. */
  notifications: (uid: string) => `notifications:${uid}`,
  /** An item's like and comment counts and its comments. */
  imageSocial: (historyId: string) => `imageSocial:${historyId}`,
  /** An item's list of comments (which exist): a viewer's liked comments are checked against it. */
  comments: (historyId: string) => `comments:${historyId}`,
  /** What one viewer did to one item: their like, their comment likes, its collections. */
  viewerState: (uid: string, historyId: string) => `viewerState:${part(uid)}:${part(historyId)}`,
  /** A user's liked list. */
  likes: (uid: string) => `likes:${uid}`,
  /** A user's collections: names, counts, covers, and which of them hold each item. */
  collections: (uid: string) => `collections:${uid}`,
  /** One collection's items. */
  collection: (uid: string, collectionId: string) => `collection:${part(uid)}:${part(collectionId)}`,
  /** A user's own sets (generationHistory items, private ones too). */
  sets: (uid: string) => `sets:${uid}`,
  /** What a collection's cover shows of an item (that it is public, its first image): bumped
   *  only when that changes, not by every mirror write. */
  cover: (historyId: string) => `cover:${historyId}`,
};

/** One family of cache entries: its key from its parameters, how long an entry lives, and
 *  the tags it depends on. Call sites name a family; they never build key strings. */
export interface CacheFamily<P> {
  name: string;
  /** What the read is, for the printed map. */
  doc: string;
  key(params: P): string;
  ttlSeconds: number;
  tags(params: P): string[];
  /** Tag kinds of what the value shows beyond its parameters (the creators' cards of a page):
   *  the loader names those tags once it knows them (`dependOn`), and the entry is checked
   *  against them too, in the same round trip. */
  joins?: readonly string[];
}

/** A write action: what changed, and the tags that makes stale. */
export interface WriteAction<P> {
  name: string;
  doc: string;
  tags(params: P): string[];
}

export type FeedSort = "recent" | "score";
/** A paged read's position: the first page has no cursor part at all, so no cursor value can collide with it. */
export interface PageParams {
  limit: number;
  cursor: string | null;
}
const cursorPart = (cursor: string | null) => (cursor === null ? "" : `:${part(cursor)}`);

export const families = {
  feedPage: {
    name: "feedPage",
    doc: "publicFeed: a page of the public feed (every public change can reorder pages, so one tag covers them all)",
    // The first page has no cursor part at all, so no cursor value can collide with it.
    key: ({ sort, limit, cursor }: { sort: FeedSort; limit: number; cursor: string | null }) =>
      `feed:${sort}:${limit}${cursor === null ? "" : `:${part(cursor)}`}`,
    ttlSeconds: 60,
    joins: ["card"],
    tags: () => [tags.feed()],
  },
  generation: {
    name: "generation",
    doc: "publicGeneration: one public item (the mirror of a generationHistory item)",
    key: ({ historyId }: { historyId: string }) => `generation:${part(historyId)}`,
    ttlSeconds: 300,
    tags: ({ historyId }: { historyId: string }) => [tags.generation(historyId)],
  },
  userCard: {
    name: "userCard",
    doc: "a user's current name and avatar, joined into every page that shows the user (those pages join its card tag) and into publicGeneration and signupImages at read time",
    key: ({ uid }: { uid: string }) => `card:${part(uid)}`,
    ttlSeconds: 300,
    tags: ({ uid }: { uid: string }) => [tags.card(uid)],
  },
  userProfile: {
    name: "userProfile",
    doc: "userProfile: a user's public profile and a page of their public items",
    key: ({ uid, limit, cursor }: PageParams & { uid: string }) => `profile:${part(uid)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 300,
    joins: ["card"],
    tags: ({ uid }: PageParams & { uid: string }) => [tags.profile(uid), tags.user(uid)],
  },
  me: {
    name: "me",
    doc: "me: the signed-in user's profile, credits and unread count (keyed by their uid, never shared)",
    key: ({ uid }: { uid: string }) => `me:${part(uid)}`,
    ttlSeconds: 300,
    tags: ({ uid }: { uid: string }) => [tags.profile(uid), tags.account(uid)],
  },
  explore: {
    name: "explore",
    doc: "explore: public items whose prompt has every word of q (any public change can add or remove one)",
    key: ({ q, limit, cursor }: PageParams & { q: string }) => `explore:${part(q)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 60,
    joins: ["card"],
    tags: (_: PageParams & { q: string }) => [tags.feed()],
  },
  followingFeed: {
    name: "followingFeed",
    doc: "followingFeed: public items of the creators a user follows (fan-out on read: publishing costs no per-follower work)",
    key: ({ uid, limit, cursor }: PageParams & { uid: string }) => `following:${part(uid)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 60,
    joins: ["card"],
    tags: ({ uid }: PageParams & { uid: string }) => [tags.following(uid), tags.feed()],
  },
  notifications: {
    name: "notifications",
    doc: "listNotifications: a page of the signed-in user's notifications (keyed by their uid)",
    key: ({ uid, limit, cursor }: PageParams & { uid: string }) => `notifications:${part(uid)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 300,
    joins: ["card"],
    tags: ({ uid }: PageParams & { uid: string }) => [tags.notifications(uid)],
  },
  signupSelection: {
    name: "signupSelection",
    doc: "signupImages: which items the signup page shows (each item is read through `generation`)",
    key: () => "signup:selection",
    ttlSeconds: 3600,
    tags: () => [tags.signup()],
  },
  imageDetails: {
    name: "imageDetails",
    doc: "imageDetails: a public item with its like and comment counts and a page of comments (the same for every viewer)",
    key: ({ historyId, cursor }: { historyId: string; cursor: string | null }) => `image:${part(historyId)}${cursorPart(cursor)}`,
    ttlSeconds: 300,
    joins: ["card"],
    tags: ({ historyId }: { historyId: string; cursor: string | null }) => [tags.generation(historyId), tags.imageSocial(historyId)],
  },
  viewerState: {
    name: "viewerState",
    doc: "myImageState: the viewer's like, liked comments and collections of one item (keyed by their uid, never shared)",
    key: ({ uid, historyId }: { uid: string; historyId: string }) => `state:${part(uid)}:${part(historyId)}`,
    ttlSeconds: 300,
    tags: ({ uid, historyId }: { uid: string; historyId: string }) => [
      tags.viewerState(uid, historyId),
      tags.collections(uid),
      tags.comments(historyId),
    ],
  },
  likedImages: {
    name: "likedImages",
    doc: "likedImages: a page of the public items a user liked, newest like first (an item that stops being public leaves it through its generation tag: no per-liker work)",
    key: ({ uid, limit, cursor }: PageParams & { uid: string }) => `liked:${part(uid)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 300,
    joins: ["generation", "card"],
    tags: ({ uid }: PageParams & { uid: string }) => [tags.likes(uid)],
  },
  myCollections: {
    name: "myCollections",
    doc: "myCollections: a user's collections with their counts and covers (a cover that stops being public or changes its image leaves through its cover tag)",
    key: ({ uid }: { uid: string }) => `collections:${part(uid)}`,
    ttlSeconds: 300,
    joins: ["cover"],
    tags: ({ uid }: { uid: string }) => [tags.collections(uid)],
  },
  collectionItems: {
    name: "collectionItems",
    doc: "collectionItems: a page of one collection's public items, newest save first (as likedImages, through generation tags)",
    key: ({ uid, collectionId, limit, cursor }: PageParams & { uid: string; collectionId: string }) =>
      `collection:${part(uid)}:${part(collectionId)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 300,
    joins: ["generation", "card"],
    tags: ({ uid, collectionId }: PageParams & { uid: string; collectionId: string }) => [tags.collection(uid, collectionId)],
  },
  mySets: {
    name: "mySets",
    doc: "mySets: a page of the user's own sets, filtered by exact prompt and/or model (one tag for every filter)",
    // The filter is hashed by the caller: a prompt may be 3,000 bytes.
    key: ({ uid, filter, limit, cursor }: PageParams & { uid: string; filter: string }) =>
      `sets:${part(uid)}:${part(filter)}:${limit}${cursorPart(cursor)}`,
    ttlSeconds: 300,
    tags: ({ uid }: PageParams & { uid: string; filter: string }) => [tags.sets(uid)],
  },
  set: {
    name: "set",
    doc: "getSet: one of the user's own sets",
    key: ({ uid, historyId }: { uid: string; historyId: string }) => `set:${part(uid)}:${part(historyId)}`,
    ttlSeconds: 300,
    tags: ({ uid }: { uid: string; historyId: string }) => [tags.sets(uid)],
  },
  jamQueue: {
    name: "jamQueue",
    doc: "jamQueue: a jam's entries with their counts, the same for every participant (their own votes are not in it)",
    key: ({ jamId }: { jamId: string }) => `jam:${part(jamId)}`,
    ttlSeconds: 300,
    tags: ({ jamId }: { jamId: string }) => [tags.jam(jamId)],
  },
} satisfies Record<string, CacheFamily<never>>;

export const writes = {
  mirrorChanged: {
    name: "mirrorChanged",
    doc: "a public mirror document was written or removed (mirror pipeline, rebuild, updateAestheticScore, another pipeline writing it)",
    tags: ({ uid, historyId }: { uid?: string; historyId: string }) => [
      tags.generation(historyId),
      tags.feed(),
      ...(uid ? [tags.user(uid)] : []),
    ],
  },
  signupSelected: {
    name: "signupSelected",
    doc: "the signup image selection was refreshed or changed",
    tags: () => [tags.signup()],
  },
  jamChanged: {
    name: "jamChanged",
    doc: "a jam's queue changed: a vote, an entry, the jam created or closed (one tag for every participant)",
    tags: ({ jamId }: { jamId: string }) => [tags.jam(jamId)],
  },
  profileUpdated: {
    name: "profileUpdated",
    doc: "updateProfile, or a user document created: name, avatar, bio (two tags, whatever the number of the user's items)",
    tags: ({ uid }: { uid: string }) => [tags.profile(uid), tags.card(uid)],
  },
  followChanged: {
    name: "followChanged",
    doc: "followUser / unfollowUser: both users' counts, the follower's following feed, the target's notifications and unread count",
    tags: ({ uid, targetUid }: { uid: string; targetUid: string }) => [
      tags.profile(uid),
      tags.profile(targetUid),
      tags.following(uid),
      tags.notifications(targetUid),
      tags.account(targetUid),
    ],
  },
  notificationsChanged: {
    name: "notificationsChanged",
    doc: "markNotificationsRead, deleteNotification, or a notification raised (a like, a comment, a comment like): the list and the unread count",
    tags: ({ uid }: { uid: string }) => [tags.notifications(uid), tags.account(uid)],
  },
  coverChanged: {
    name: "coverChanged",
    doc: "an item became public, stopped being public, or its first image changed: what a cover shows (beside the mirror change itself)",
    tags: ({ historyId }: { historyId: string }) => [tags.cover(historyId)],
  },
  imageLiked: {
    name: "imageLiked",
    doc: "likeImage / unlikeImage: the item's count, the liker's list and state (the owner's notification is notificationsChanged, raised after)",
    tags: ({ uid, historyId }: { uid: string; historyId: string }) => [
      tags.imageSocial(historyId),
      tags.likes(uid),
      tags.viewerState(uid, historyId),
    ],
  },
  commentAdded: {
    name: "commentAdded",
    doc: "addComment: the item's comments and count (the owner's notification is notificationsChanged, raised after)",
    tags: ({ historyId }: { historyId: string }) => [tags.imageSocial(historyId)],
  },
  commentDeleted: {
    name: "commentDeleted",
    doc: "deleteComment: the item's comments and count, and every viewer's liked comments of it",
    tags: ({ historyId }: { historyId: string }) => [tags.imageSocial(historyId), tags.comments(historyId)],
  },
  commentLiked: {
    name: "commentLiked",
    doc: "likeComment / unlikeComment: the comment's count, the liker's state (the author's notification is notificationsChanged, raised after)",
    tags: ({ uid, historyId }: { uid: string; historyId: string }) => [tags.imageSocial(historyId), tags.viewerState(uid, historyId)],
  },
  collectionChanged: {
    name: "collectionChanged",
    doc: "createCollection / updateCollection / deleteCollection: the owner's collections, that collection, and (deleted) every item's saved state",
    tags: ({ uid, collectionId }: { uid: string; collectionId: string }) => [tags.collections(uid), tags.collection(uid, collectionId)],
  },
  collectionItemsChanged: {
    name: "collectionItemsChanged",
    doc: "addToCollection / removeFromCollection: the owner's collections (count, cover), that collection, the item's saved state",
    tags: ({ uid, collectionId, historyId }: { uid: string; collectionId: string; historyId: string }) => [
      tags.collections(uid),
      tags.collection(uid, collectionId),
      tags.viewerState(uid, historyId),
    ],
  },
  setsChanged: {
    name: "setsChanged",
    doc: "deleteSet, or any write to a generationHistory item (the trigger): the owner's mySets and getSet",
    tags: ({ uid }: { uid: string }) => [tags.sets(uid)],
  },
  creditsChanged: {
    name: "creditsChanged",
    doc: "creditsWebhook (a purchase), generateArt (a spend) or a failed art request (a refund): the user's balance",
    tags: ({ uid }: { uid: string }) => [tags.account(uid)],
  },
} satisfies Record<string, WriteAction<never>>;

/** The Redis key of one entry. */
export const entryKey = <P>(family: CacheFamily<P>, params: P) => redisKeys.entry(family.key(params));

/** A tag's kind: "generation:abc" -> "generation". */
export const kindOf = (tag: string) => tag.split(":")[0]!;
/** Parameters for listing tag kinds: every field present, so optional tags show up too. */
const anyParams = new Proxy({}, { get: () => "*" }) as never;

/** The map as a table: each write action with the read families it makes stale (those that
 *  share a tag kind). `npm start`'s admin panel shows it; a test checks it against the tags. */
export function invalidationTable(): Array<{ write: string; doc: string; reads: string[] }> {
  const familyKinds = Object.values(families).map((f: CacheFamily<never>) => ({
    name: f.name,
    kinds: new Set([...f.tags(anyParams).map(kindOf), ...(f.joins ?? [])]),
  }));
  return Object.values(writes).map((w) => {
    const kinds = new Set(w.tags(anyParams).map(kindOf));
    return { write: w.name, doc: w.doc, reads: familyKinds.filter((f) => [...f.kinds].some((k) => kinds.has(k))).map((f) => f.name) };
  });
}
