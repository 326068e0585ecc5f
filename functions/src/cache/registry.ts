/** One family of cache entries: how its key is built from its parameters, how long an entry
 *  lives, and which tags invalidate it. Call sites name a family and pass parameters; they
 *  never build key strings, so every key in Redis is one of these. */
export interface CacheFamily<P> {
  name: string;
  key(params: P): string;
  ttlSeconds: number;
  tags(params: P): string[];
}

export type FeedSort = "recent" | "score";

// Key parts that come from outside (cursors, ids) are URI-encoded, so a ":" inside one can
// never make two different parameter sets share a key.
const part = (value: string) => encodeURIComponent(value);

export const families: {
  feedPage: CacheFamily<{ sort: FeedSort; limit: number; cursor: string | null }>;
  generation: CacheFamily<{ historyId: string }>;
  userProfile: CacheFamily<{ uid: string }>;
  signupImages: CacheFamily<Record<string, never>>;
} = {
  /** A page of the public feed. Every public change can reorder pages, so one tag covers them all. */
  feedPage: {
    name: "feedPage",
    // The first page has no cursor part at all, so no cursor value can collide with it.
    key: ({ sort, limit, cursor }) => `feed:${sort}:${limit}${cursor === null ? "" : `:${part(cursor)}`}`,
    ttlSeconds: 60,
    tags: () => ["feed:public"],
  },
  /** One public generation (the mirror of a generationHistory item). */
  generation: {
    name: "generation",
    key: ({ historyId }) => `generation:${part(historyId)}`,
    ttlSeconds: 300,
    tags: ({ historyId }) => [`generation:${historyId}`],
  },
  /** A user's public profile. */
  userProfile: {
    name: "userProfile",
    key: ({ uid }) => `user:${part(uid)}`,
    ttlSeconds: 300,
    tags: ({ uid }) => [`user:${uid}`],
  },
  /** The images shown on the signup page. */
  signupImages: {
    name: "signupImages",
    key: () => "signup:images",
    ttlSeconds: 3600,
    tags: () => ["signup:images"],
  },
};

/** The Redis key of one entry. Everything Fresco keeps in Redis starts with `fresco:`. */
export const entryKey = <P>(family: CacheFamily<P>, params: P) => `fresco:c:${family.key(params)}`;
