/**
 * The stored form of a cache entry, `{"v": value, "t": {tag: version}}`, and the Lua scripts
 * that store it. `t` holds the tag versions read BEFORE the value was loaded: an entry is
 * current only while every one of them still equals the tag's version in Redis.
 */
export interface StoredEntry {
  v: unknown;
  t: Record<string, number>;
  /** 1 on entries of families with joins: their value holds the join (see readJoinedScript). */
  j?: 1;
}

/** A tag's version as read from Redis, as a decimal string; null when the key is missing. */
export type TagVersion = string | null;

/** MGET hands back strings, or values already JSON-parsed when the client has
 *  automaticDeserialization on (the default): accept both, so the client's setting cannot
 *  change what a value reads as. The entry is always a JSON object, so a cached "123" stays
 *  a string inside it either way. */
export function decodeEntry(raw: unknown): StoredEntry | undefined {
  let parsed = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const t = (parsed as { t?: unknown }).t;
  if (typeof t !== "object" || t === null) return undefined;
  return parsed as StoredEntry;
}

export function decodeVersion(raw: unknown): TagVersion {
  return raw === null || raw === undefined ? null : String(raw);
}

/** True when the entry was stored under exactly the current versions. A missing version key
 *  means the counter was lost (eviction, flush) after the entry was stored: not current. */
export function isCurrent(entry: StoredEntry, tags: string[], versions: TagVersion[]): boolean {
  return tags.every((tag, i) => {
    const current = versions[i];
    return current !== null && current !== undefined && entry.t[tag] === Number(current);
  });
}

/** Redis's clock in microseconds, as a decimal string (Lua's tostring would print a number
 *  this large in exponent form and lose digits). */
const nowMicros = `local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))`;

/**
 * KEYS: entry, join, tag version keys...   ARGV: entry JSON, ttl ms, lock token, counter ttl ms,
 * join JSON ('' for none), versions read before loading...
 *
 * Releases our lock, then stores the entry only if no tag moved since the versions were read,
 * so a slow loader can neither store an old value under new versions nor overwrite the entry
 * of a newer load. The tags' counters are made to outlive the entry (their TTL is refreshed
 * to at least the counter ttl), so an entry never outlives the version it was checked by.
 * The join (`{tag: version}` of the tags the value's content depends on, see readJoinedScript)
 * is stored beside the entry with the same TTL, in the same script: never one without the other.
 */
export const storeScript = `
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
for i = 4, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 2] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[2]) end
for i = 4, #KEYS do
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
end
return 1
`;

/**
 * KEYS: entry, join, tag version keys...   ARGV: the tag version key prefix.
 * Returns { entry or false, 1 if the join is stale else 0, the tags' versions... }.
 *
 * A read of a family with joins (map.ts): its value holds other entities (the creators' cards
 * of a page), whose tags are known only once the value is loaded. They are stored beside the
 * entry as `{tag: version}` and checked here, so a hit is still one round trip: an entry whose
 * join is missing or names a version that moved is not returned.
 */
export const readJoinedScript = `
local out = { redis.call('GET', KEYS[1]), 0 }
for i = 3, #KEYS do out[i] = redis.call('GET', KEYS[i]) end
if not out[1] then return out end
local raw = redis.call('GET', KEYS[2])
local ok, join = false, nil
if raw then ok, join = pcall(cjson.decode, raw) end
if not ok or type(join) ~= 'table' then out[1] = false; out[2] = 1; return out end
for tag, version in pairs(join) do
  if redis.call('GET', ARGV[1] .. tag) ~= version then out[1] = false; out[2] = 1; return out end
end
return out
`;

/**
 * KEYS: tag version keys   ARGV: counter ttl ms.   Returns the versions, creating missing ones.
 *
 * A missing counter starts at Redis's clock in microseconds, not at 1: a counter that is lost
 * (expired, evicted, flushed) and created again then starts above any version an old entry
 * could carry (versions grow by one a bump, far slower than the clock), so an old entry can
 * never look current. Concurrent fills all get the one value that won the SET NX.
 */
export const initVersionsScript = `
${nowMicros}
local versions = {}
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], now, 'NX', 'PX', ARGV[1])
  versions[i] = redis.call('GET', KEYS[i])
end
return versions
`;

/**
 * KEYS: tag version keys   ARGV: counter ttl ms.   Invalidates: one more on each counter; a
 * missing one is created at the clock (as in initVersionsScript), never at INCR's 1. INCR keeps
 * a counter's TTL; one that has none (written before counters had a TTL) is given one.
 */
export const bumpScript = `
${nowMicros}
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('INCR', KEYS[i])
    if redis.call('PTTL', KEYS[i]) == -1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  else redis.call('SET', KEYS[i], now, 'PX', ARGV[1]) end
end
return #KEYS
`;

/** KEYS: lock; ARGV: token. Deletes the lock only if it is still ours. */
export const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The TTL with ±10% jitter, so entries written together do not all expire together. */
export function jitteredTtlMs(ttlSeconds: number, random: number): number {
  return Math.max(1, Math.round(ttlSeconds * 1000 * (0.9 + 0.2 * random)));
}
