/**
 * Every Redis key Fresco writes, in one place. All start with `fresco:`, so a shared Redis
 * can hold other apps' keys beside them. Parts that come from outside (cursors, ids) are
 * URI-encoded by the family key builders, so a ":" in one never makes two keys collide.
 */
export const redisKeys = {
  /** A cache entry: `{v, t}`, `{v, t, j: 1}` for a family with joins (see entry.ts), with a TTL. */
  entry: (familyKey: string) => `fresco:c:${familyKey}`,
  /** The join of an entry of a family with joins: `{tag: version}` of what its content shows (see entry.ts). */
  join: (familyKey: string) => `fresco:cj:${familyKey}`,
  /** A tag's version counter (see tag-versions.ts), with a TTL refreshed when used. */
  tagVersion: (tag: string) => `fresco:tagv:${tag}`,
  /** The fill lock of one entry under one set of tag versions (a few seconds). */
  lock: (familyKey: string, signature: string) => `fresco:lock:${familyKey}@${signature}`,
  /** One UTC day's cache counters of every instance: a hash, one field per counter (8 days). */
  metricsDay: (day: string) => `fresco:metrics:${day}`,
  /** An art request's live processing status, claimed by its worker with SET NX (art/status.ts;
   *  24 h after its last update). Not a cache entry: it is the worker's claim and progress. */
  processing: (requestId: string) => `fresco:processing:${requestId}`,
  /** The prefix of a rate limit's keys (@upstash/ratelimit's fixed windows, src/limits/rate.ts:
   *  `<prefix>:<identity>:<window>`, each with the window's TTL). */
  rateLimit: (kind: string) => `fresco:rl:${kind}`,
  /** What the `health` endpoint writes and reads back (60 s). */
  healthProbe: "fresco:health:probe",
} as const;
