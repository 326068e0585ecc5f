import { luaScript } from "./lua";

/**
 * The stored form of a cache entry, `{"v": value, "t": {tag: version}}`, and the Lua scripts
 * that store it (each declares every key it touches: see lua.ts). `t` holds the tag versions read BEFORE the value was loaded: an entry is
 * current only while every one of them still equals the tag's version in Redis.
 */
export interface StoredEntry {
  v: unknown;
  t: Record<string, number>;
  /** 1 on entries of families with joins: their value holds the join (checked by Cache.read). */
  j?: 1;
}

/** A tag's version as read from Redis, as a decimal string; null when the key is missing. */
export type TagVersion = string | null;

/** MGET hands back strings, or values already JSON-parsed when the client has
 *  automaticDeserialization on (the default): accept both, so the client's setting cannot
 *  change what a value reads as. The entry is always a JSON object, so a cached "123" stays
 *  a string inside it either way. */
export function decodeEntry(raw: unknown): StoredEntry | undefined {
  const parsed = parsedObject(raw);
  const t = (parsed as { t?: unknown } | undefined)?.t;
  if (typeof t !== "object" || t === null) return undefined;
  return parsed as StoredEntry;
}

/** A JSON object as MGET handed it back (a string, or already parsed), or undefined. */
function parsedObject(raw: unknown): object | undefined {
  let parsed = raw;
  if (typeof raw === "string") {
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  return typeof parsed === "object" && parsed !== null ? parsed : undefined;
}

/** An entry's join, `{tag: version}` as stored beside it (a string, or already parsed by the
 *  client), or undefined when it is missing or not that shape (the entry then cannot be checked). */
export function decodeJoin(raw: unknown): Record<string, string> | undefined {
  const parsed = parsedObject(raw);
  if (!parsed || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (!entries.every(([, v]) => typeof v === "string" || typeof v === "number")) return undefined;
  return Object.fromEntries(entries.map(([tag, v]) => [tag, String(v)]));
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

/**
 * KEYS: entry, lock, join, tag version keys...   ARGV: entry JSON, ttl ms, lock token, counter
 * ttl ms, join JSON ('' for none), versions read before loading...
 *
 * Releases our lock, then stores the entry only if no tag moved since the versions were read,
 * so a slow loader can neither store an old value under new versions nor overwrite the entry
 * of a newer load. A tag counter that would expire before the entry is given the counter ttl,
 * so an entry never outlives the version it was checked by (one whose TTL is long enough is
 * left alone: Upstash bills each command a script runs, so a store runs one PTTL per tag and a
 * PEXPIRE only where one is due). The join (`{tag: version}` of the tags the value's content
 * depends on, checked by Cache.read) is stored beside the entry with the same TTL, in the same
 * script: never one without the other.
 */
export const storeScript = luaScript(
  "cache.store",
  `
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
if #KEYS >= 4 then
  local current = redis.call('MGET', unpack(KEYS, 4))
  for i = 4, #KEYS do
    if current[i - 3] ~= ARGV[i + 2] then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[5] ~= '' then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[2]) end
local entryTtl = tonumber(ARGV[2])
for i = 4, #KEYS do
  if redis.call('PTTL', KEYS[i]) < entryTtl then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
end
return 1
`,
);

/** Lua: sets `now` to Redis's clock in microseconds, as a decimal string, once (Lua's tostring
 *  would print a number this large in exponent form and lose digits). */
const clockOnce = `if not now then
      local t = redis.call('TIME')
      now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
    end`;

/**
 * KEYS: tag version keys   ARGV: counter ttl ms.   Returns the versions, creating missing ones.
 *
 * A missing counter starts at Redis's clock in microseconds, not at 1: a counter that is lost
 * (expired, evicted, flushed) and created again then starts above any version an old entry
 * could carry (versions grow by one a bump, far slower than the clock), so an old entry can
 * never look current. A script runs alone on its keys, so what MGET found missing is still
 * missing when it is set, and every concurrent fill gets the one value set first. One MGET when
 * every counter exists (the common case); TIME and a SET per missing one otherwise.
 */
export const initVersionsScript = luaScript(
  "cache.initVersions",
  `
local versions = redis.call('MGET', unpack(KEYS))
local now
for i = 1, #KEYS do
  if not versions[i] then
    ${clockOnce}
    redis.call('SET', KEYS[i], now, 'PX', ARGV[1])
    versions[i] = now
  end
end
return versions
`,
);

/**
 * KEYS: tag version keys   ARGV: counter ttl ms.   Invalidates: one INCR a tag. INCR answering
 * 1 means the counter was missing (a live one holds the clock value it was created at plus its
 * bumps): it is set to Redis's clock in microseconds instead, as in initVersionsScript, with its
 * TTL. INCR keeps an existing counter's TTL; a counter without one (written by code from before
 * counters had a TTL) gets one from the next store under it.
 */
export const bumpScript = luaScript(
  "cache.bump",
  `
local now
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then
    ${clockOnce}
    redis.call('SET', KEYS[i], now, 'PX', ARGV[1])
  end
end
return #KEYS
`,
);

/** KEYS: lock; ARGV: token. Deletes the lock only if it is still ours. */
export const releaseScript = luaScript(
  "cache.releaseLock",
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/** The TTL with ±10% jitter, so entries written together do not all expire together. */
export function jitteredTtlMs(ttlSeconds: number, random: number): number {
  return Math.max(1, Math.round(ttlSeconds * 1000 * (0.9 + 0.2 * random)));
}
