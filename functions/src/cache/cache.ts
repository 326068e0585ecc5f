import { randomUUID } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { withTimeout } from "../shared/timeout";
import {
  decodeEntry,
  decodeJoin,
  decodeVersion,
  initVersionsScript,
  isCurrent,
  jitteredTtlMs,
  releaseScript,
  storeScript,
  type TagVersion,
} from "./entry";
import { scriptOn } from "./lua";
import * as logs from "./logs";
import { CacheMetrics, type CacheCounters } from "./metrics";
import { redisKeys } from "./keys";
import { kindOf, type CacheFamily } from "./map";
import { cacheInvalidations, replayOutbox } from "./outbox";
import { bumpTags, counterTtlMs, redisTimeoutMs } from "./tag-versions";

export interface CacheDeps {
  redis: Redis;
  db: Firestore;
  /** Deadline of one Redis call before the cache gives up and serves the loader. Default 150. */
  timeoutMs?: number;
  /** Deadline of the instance's calls until Redis first answers (that call opens the connection). Default 1,000. */
  firstCallTimeoutMs?: number;
  now?: () => number;
  random?: () => number;
  /** Multiplies every TTL (entries and tag counters); tests shrink it to watch keys expire. */
  ttlScale?: number;
}

/** Given to a loader: names the tags its value's content depends on (a family's `joins`),
 *  before the loader reads that content, so a change to it after this call makes the entry
 *  stale. Never throws for Redis errors (the value is then served but not stored). */
export type DependOn = (tags: string[]) => Promise<void>;

const noDependency: DependOn = async () => undefined;

/** What one read saw: the value if the entry is current, and the tag versions it was checked against. */
interface Read<T> {
  hit: boolean;
  stale: boolean;
  value?: T;
  versions: TagVersion[];
  /** The versions as one string: loads under different versions must never be shared. */
  signature: string;
}

const lockMs = 2_000;
// A loser of the lock re-reads the entry this often before loading anyway: at most ~360 ms of waiting.
const lockPolls = 6;
const lockPollMs = 60;
// A new instance's first Redis call also opens its connection (DNS, TCP, TLS): it may take this
// long before the cache fails open; later calls get timeoutMs (README: "The first Redis call").
const defaultFirstCallTimeoutMs = 1_000;
// While Redis is down, probe it at most this often; in between, calls go straight to the loader.
const catchUpRetryMs = 1_000;
const replayPageSize = 500;
const replayMaxPages = 20;
const sharedMetricsTtlSeconds = 8 * 24 * 3600;
// Joined entries whose join tags an instance remembers (~20 tags each): a few MB at most.
const knownJoinsLimit = 5_000;

const ignore = () => undefined;
/** Versions are counters (decimal strings, growing): the smaller one, or `b` when `a` is unset. */
const olderVersion = (a: TagVersion | undefined, b: TagVersion) =>
  a === undefined || a === null || b === null ? b : BigInt(a) <= BigInt(b) ? a : b;
const signatureOf = (versions: TagVersion[]) => versions.map((v) => v ?? "-").join(",");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Read-through cache over Upstash Redis with tag invalidation. An entry stores the versions
 * of its tags read before its value was loaded; invalidating a tag is one INCR, after which
 * every entry holding the old version reads as a miss. Redis problems never reach callers:
 * the loader (Firestore) answers instead, and invalidations that Redis cannot confirm wait in
 * the `cacheInvalidations` outbox, which is replayed before any entry is served again.
 */
export class Cache {
  private readonly redis: Redis;
  private readonly db: Firestore;
  private readonly timeoutMs: number;
  private readonly firstCallTimeoutMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly ttlScale: number;
  private readonly counters: CacheMetrics;
  /** EVALSHA, falling back to EVAL on NOSCRIPT (what @upstash/redis's Script does). */
  private readonly scripts: Record<"store" | "init" | "release", { exec(keys: string[], args: string[]): Promise<unknown> }>;
  /** The join tags this instance last saw for each joined entry, read with the entry so a hit
   *  stays one MGET (lua.ts: no script may build a key, so the join cannot be read server-side
   *  by names found in the entry). Bounded: the oldest are forgotten first. */
  private readonly knownJoins = new Map<string, string[]>();
  private readonly flights = new Map<string, Promise<unknown>>();
  /** Fail-open loads per key: the one running, and the one callers who came after it wait for. */
  private readonly bypassing = new Map<string, { running: Promise<unknown>; next?: Promise<unknown> }>();
  /** Set by any Redis error: invalidations may be sitting in the outbox, so entries may be stale. */
  private replayNeeded = false;
  private errorEpoch = 0;
  private lastCatchUpAt = Number.NEGATIVE_INFINITY;
  /** False until Redis first answered this instance: that call also opens the TLS connection. */
  private connected = false;
  private catchingUp: Promise<boolean> | undefined;

  constructor(deps: CacheDeps) {
    this.redis = deps.redis;
    this.db = deps.db;
    this.timeoutMs = deps.timeoutMs ?? redisTimeoutMs;
    this.firstCallTimeoutMs = Math.max(this.timeoutMs, deps.firstCallTimeoutMs ?? defaultFirstCallTimeoutMs);
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.ttlScale = deps.ttlScale ?? 1;
    this.counters = new CacheMetrics(this.now, undefined, undefined, undefined, (window) => void this.addToShared(window));
    this.scripts = {
      store: scriptOn(this.redis, storeScript),
      init: scriptOn(this.redis, initVersionsScript),
      release: scriptOn(this.redis, releaseScript),
    };
  }

  /** The cached value of `family(params)`, or the loader's (stored for the next caller).
   *  Values must be JSON (plain objects, arrays, strings, numbers, booleans, null).
   *  Loader errors reach the caller; cache errors never do. */
  async getOrLoad<P, T>(family: CacheFamily<P>, params: P, loader: (dependOn: DependOn) => Promise<T>): Promise<T> {
    this.counters.call();
    const familyKey = family.key(params);
    const key = redisKeys.entry(familyKey);
    const tags = family.tags(params);
    if (this.replayNeeded && !(await this.catchUp())) return this.bypass(key, () => loader(noDependency));

    let read: Read<T>;
    try {
      read = await this.read<T>(family, familyKey, tags);
    } catch (error) {
      this.failed("read", error, key);
      return this.bypass(key, () => loader(noDependency));
    }
    if (read.hit) {
      this.counters.add("hits");
      return read.value as T;
    }
    this.counters.add("misses");
    if (read.stale) this.counters.add("staleVersionMisses");
    return this.singleFlight(`${key}@${read.signature}`, (close) => this.fill(family, familyKey, tags, read, loader, close));
  }

  /** Bumps the tags; if Redis cannot confirm, writes them to the cacheInvalidations outbox.
   *  Never throws for Redis errors (a failed outbox write does throw: the invalidation would be lost). */
  async invalidate(tags: string[]): Promise<"bumped" | "deferred"> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return "bumped";
    try {
      await this.answered(bumpTags(this.redis, unique, this.bumpDeadlineMs(), this.ttlScale));
      return "bumped";
    } catch (error) {
      this.failed("invalidate", error);
      await this.db.collection(cacheInvalidations).add({
        tags: unique,
        createdAt: Timestamp.fromMillis(this.now()),
        attempts: 0,
        lastError: String(error).slice(0, 300),
      });
      logs.invalidationDeferred(unique, error);
      return "deferred";
    }
  }

  /** Bumps tags that already wait in the outbox (the caller deletes the entries once this
   *  returns). Throws when Redis does not confirm; the instance then catches up before it
   *  serves entries again. */
  async bump(tags: string[]): Promise<void> {
    try {
      await this.answered(bumpTags(this.redis, [...new Set(tags)], this.bumpDeadlineMs(), this.ttlScale));
    } catch (error) {
      this.failed("invalidate", error);
      throw error;
    }
  }

  /** Replays the outbox (used by the scheduled replay function and after an outage). */
  async replayOutbox(): Promise<{ replayed: number; ok: boolean }> {
    let replayed = 0;
    const bump = (tags: string[]) => this.answered(bumpTags(this.redis, tags, this.bumpDeadlineMs(), this.ttlScale));
    for (let page = 0; page < replayMaxPages; page++) {
      const result = await replayOutbox(this.db, bump, this.now(), 0, replayPageSize);
      replayed += result.replayed;
      if (!result.ok || result.replayed < replayPageSize) return { replayed, ok: result.ok };
    }
    return { replayed, ok: false }; // more pages left: the next replay goes on
  }

  metrics(): CacheCounters {
    return this.counters.snapshot();
  }

  /** A closed metrics window, added to today's counters shared by every instance: one
   *  round trip per window (1,000 calls or a minute), never one per read. MULTI/EXEC, so
   *  the hash never exists without its TTL, even for an instant. */
  private async addToShared(window: CacheCounters): Promise<void> {
    const key = redisKeys.metricsDay(new Date(this.now()).toISOString().slice(0, 10));
    const transaction = this.redis.multi();
    for (const [field, value] of Object.entries(window)) if (value) transaction.hincrby(key, field, Math.round(value));
    transaction.expire(key, sharedMetricsTtlSeconds);
    await this.call("metrics", transaction.exec()).catch(ignore);
  }

  /** Today's counters of every instance, as of each instance's last closed window. */
  async sharedMetrics(): Promise<{ day: string; counters: Record<string, number> }> {
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const raw = (await this.call("metrics", this.redis.hgetall<Record<string, unknown>>(redisKeys.metricsDay(day)))) ?? {};
    return { day, counters: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)])) };
  }

  /** One round trip: the entry and its tag versions in one MGET, so both come from one instant.
   *  A family with joins reads its join and the versions of the join's tags this instance last
   *  saw in the same MGET; a join naming other tags (it changed, or this instance never read it)
   *  costs one more MGET of those versions. That read comes after the first, and versions only
   *  grow, so a bump between the two shows as a newer version: a miss, never a stale hit. */
  private async read<T>(family: CacheFamily<unknown>, familyKey: string, tags: string[]): Promise<Read<T>> {
    const key = redisKeys.entry(familyKey);
    const tagKeys = tags.map(redisKeys.tagVersion);
    const known = family.joins ? (this.knownJoins.get(familyKey) ?? []) : [];
    const keys = family.joins ? [key, redisKeys.join(familyKey), ...tagKeys, ...known.map(redisKeys.tagVersion)] : [key, ...tagKeys];
    const raw = await this.call("read", this.redis.mget<unknown[]>(...keys));
    const offset = family.joins ? 2 : 1;
    const versions = tags.map((_, i) => decodeVersion(raw[i + offset]));
    const signature = signatureOf(versions);
    if (raw[0] === null || raw[0] === undefined) return { hit: false, stale: false, versions, signature };
    const stale = { hit: false, stale: true, versions, signature };
    const entry = decodeEntry(raw[0]);
    // An entry of a joined family without the mark was stored by code that joined at read
    // time (an instance of an old deploy): its value lacks the join, so it is not a hit.
    if (!entry || (family.joins && entry.j !== 1) || !isCurrent(entry, tags, versions)) return stale;
    if (family.joins) {
      const join = decodeJoin(raw[1]);
      if (!join) return stale; // an entry without its join cannot be checked
      const seen = new Map(known.map((tag, i) => [tag, decodeVersion(raw[offset + tags.length + i])]));
      const missing = Object.keys(join).filter((tag) => !seen.has(tag));
      if (missing.length > 0) {
        const more = await this.call("read", this.redis.mget<unknown[]>(...missing.map(redisKeys.tagVersion)));
        missing.forEach((tag, i) => seen.set(tag, decodeVersion(more[i])));
      }
      this.rememberJoin(familyKey, Object.keys(join));
      if (!Object.entries(join).every(([tag, version]) => seen.get(tag) === version)) return stale; // a lost counter reads null
    }
    return { hit: true, stale: false, value: entry.v as T, versions, signature };
  }

  private rememberJoin(familyKey: string, tags: string[]): void {
    this.knownJoins.delete(familyKey); // re-inserted last: the Map's order is the eviction order
    this.knownJoins.set(familyKey, tags);
    if (this.knownJoins.size > knownJoinsLimit) this.knownJoins.delete(this.knownJoins.keys().next().value!);
  }

  /** A miss: one loader per instance (single flight), one across instances (a short lock);
   *  a lock loser waits briefly for the winner's entry, then loads anyway rather than fail. */
  private async fill<P, T>(
    family: CacheFamily<P>,
    familyKey: string,
    tags: string[],
    read: Read<T>,
    loader: (dependOn: DependOn) => Promise<T>,
    closeFlight: () => void = ignore,
  ): Promise<T> {
    const key = redisKeys.entry(familyKey);
    let versions = read.versions;
    const token = randomUUID();
    let lockKey: string;
    let owner: boolean;
    try {
      // Only on a tag's first use (or after its counter was lost): one more round trip.
      if (versions.some((v) => v === null)) versions = await this.initVersions(tags, family);
      // Per versions too: a load under old versions must not make a load under new ones wait.
      lockKey = redisKeys.lock(familyKey, signatureOf(versions));
      owner = (await this.call("lock", this.redis.set(lockKey, token, { nx: true, px: lockMs }))) === "OK";
    } catch (error) {
      this.failed("lock", error, key);
      return this.load(() => loader(noDependency));
    }
    if (!owner) {
      for (let i = 0; i < lockPolls; i++) {
        await sleep(lockPollMs);
        let again: Read<T>;
        try {
          again = await this.read<T>(family, familyKey, tags);
        } catch (error) {
          this.failed("read", error, key);
          return this.load(() => loader(noDependency));
        }
        if (again.hit) return again.value as T;
        // Invalidated meanwhile: the lock holder's value will be refused, stop waiting for it.
        if (again.signature !== signatureOf(versions)) break;
      }
    }

    const join = this.joinFor(family, tags, closeFlight);
    const release = () => {
      if (owner) void this.call("release", this.scripts.release.exec([lockKey], [token])).catch(ignore);
    };
    let value: T;
    try {
      value = await this.load(() => loader(join.dependOn));
    } catch (error) {
      release();
      throw error;
    }
    if (join.failed) {
      release();
      return value; // served, not stored: the join's versions are unknown
    }
    await this.save(family, familyKey, tags, versions, join.versions, value, lockKey, owner ? token : "");
    return value;
  }

  /** The `dependOn` of one fill: the versions of the join's tags, read (created if missing)
   *  before the loader reads what they cover. */
  private joinFor<P>(family: CacheFamily<P>, tags: string[], closeFlight: () => void) {
    const state = { versions: new Map<string, TagVersion>(), failed: false, dependOn: noDependency };
    state.dependOn = async (dependencies: string[]) => {
      // A caller who comes from now on must not share this load: the join's versions are read
      // now, and a rename that returned after this point would not be in its value.
      closeFlight();
      const kinds = new Set(family.joins ?? []);
      const wrong = dependencies.find((tag) => !kinds.has(kindOf(tag)));
      if (wrong) throw new Error(`${family.name} does not declare a join of ${kindOf(wrong)} tags (${wrong})`);
      const fresh = [...new Set(dependencies)].filter((tag) => !tags.includes(tag) && !state.versions.has(tag));
      if (fresh.length === 0 || state.failed) return;
      try {
        const read = await this.initVersions(fresh, family);
        // Two calls in flight may both read one tag: keep the older version (read before any
        // bump the newer one saw), so the entry is never stored as current for content read
        // before that bump.
        fresh.forEach((tag, i) => state.versions.set(tag, olderVersion(state.versions.get(tag), read[i]!)));
      } catch (error) {
        this.failed("join", error);
        state.failed = true;
      }
    };
    return state;
  }

  private async initVersions<P>(tags: string[], family: CacheFamily<P>): Promise<TagVersion[]> {
    const counterTtl = String(counterTtlMs(this.entryTtlMs(family, 1)));
    const raw = await this.call("init", this.scripts.init.exec(tags.map(redisKeys.tagVersion), [counterTtl]));
    const versions = (raw as unknown[]).map(decodeVersion);
    if (versions.length !== tags.length || versions.some((v) => v === null))
      throw new Error(`tag version init answered ${JSON.stringify(raw)}`);
    return versions;
  }

  /** Stores under the versions read before loading (the script refuses if any tag moved since). */
  private async save<P>(
    family: CacheFamily<P>,
    familyKey: string,
    tags: string[],
    versions: TagVersion[],
    join: Map<string, TagVersion>,
    value: unknown,
    lockKey: string,
    token: string,
  ): Promise<void> {
    const key = redisKeys.entry(familyKey);
    try {
      // `t` holds the parameters' tags (checked by every read); the join, the content's. The
      // script checks both sets of versions before it stores.
      const t = Object.fromEntries(tags.map((tag, i) => [tag, Number(versions[i])]));
      const checked = [...tags, ...join.keys()];
      if (family.joins) this.rememberJoin(familyKey, [...join.keys()]);
      const ttlMs = this.entryTtlMs(family, this.random());
      await this.call(
        "store",
        this.scripts.store.exec(
          [key, lockKey, redisKeys.join(familyKey), ...checked.map(redisKeys.tagVersion)],
          [
            JSON.stringify({ v: value, t, ...(family.joins ? { j: 1 } : {}) }),
            String(ttlMs),
            token,
            String(counterTtlMs(this.entryTtlMs(family, 1))),
            family.joins ? JSON.stringify(Object.fromEntries(join)) : "",
            ...[...versions, ...join.values()].map(String),
          ],
        ),
      );
    } catch (error) {
      this.failed("store", error, key); // the caller still gets the value
    }
  }

  private async load<T>(loader: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await loader();
    } finally {
      this.counters.add("loads");
      this.counters.add("loadMsTotal", performance.now() - started);
    }
  }

  /** An entry's TTL: the family's, scaled, jittered by `random` (1: the longest it can be). */
  private entryTtlMs<P>(family: CacheFamily<P>, random: number): number {
    return jitteredTtlMs(family.ttlSeconds * this.ttlScale, random);
  }

  /** Redis unusable (or not caught up yet): the loader answers. Without Redis there are no
   *  versions to tell a load that started before a write from one after it, so a caller
   *  never joins a load that was already running when it came: it waits for the next one,
   *  which starts when that one ends and serves everyone who came meanwhile. Firestore still
   *  sees at most one load per key at a time. */
  private bypass<T>(key: string, loader: () => Promise<T>): Promise<T> {
    this.counters.add("misses");
    const slot = this.bypassing.get(key);
    if (!slot) return this.startBypass(key, loader);
    slot.next ??= slot.running.then(ignore, ignore).then(() => this.startBypass(key, loader));
    return slot.next as Promise<T>;
  }

  private startBypass<T>(key: string, loader: () => Promise<T>): Promise<T> {
    const running = this.load(loader);
    const slot = { running };
    this.bypassing.set(key, slot);
    void running.then(ignore, ignore).then(() => {
      if (this.bypassing.get(key) === slot) this.bypassing.delete(key);
    });
    return running;
  }

  /** After an error, the first successful contact replays the outbox before entries are
   *  served again: invalidations deferred during the outage (here or in another instance)
   *  would otherwise leave stale entries readable. Probes are rate-limited so a dead Redis
   *  costs callers nothing but the loader. */
  private catchUp(): Promise<boolean> {
    this.catchingUp ??= (async () => {
      if (this.now() - this.lastCatchUpAt < catchUpRetryMs) return false;
      this.lastCatchUpAt = this.now();
      const epoch = this.errorEpoch;
      try {
        await this.call("ping", this.redis.ping());
        const result = await this.replayOutbox();
        if (!result.ok) return false;
        if (epoch === this.errorEpoch) this.replayNeeded = false;
        if (!this.replayNeeded) logs.caughtUp(result.replayed);
        return !this.replayNeeded;
      } catch (error) {
        this.failed("catch-up", error);
        return false;
      }
    })().finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }

  /** `run` may close the flight early (`close`): callers after that start their own load. */
  private singleFlight<T>(key: string, run: (close: () => void) => Promise<T>): Promise<T> {
    const existing = this.flights.get(key);
    if (existing) return existing as Promise<T>;
    const slot: { flight?: Promise<T>; closed: boolean } = { closed: false };
    const close = () => {
      slot.closed = true;
      if (slot.flight && this.flights.get(key) === slot.flight) this.flights.delete(key);
    };
    const flight = run(close).finally(close);
    slot.flight = flight;
    if (!slot.closed) this.flights.set(key, flight);
    return flight;
  }

  /** An aborted @upstash/redis request resolves as a fake success, so deadlines are races that throw. */
  private call<T>(op: string, promise: Promise<T>): Promise<T> {
    return this.answered(withTimeout(promise, this.connected ? this.timeoutMs : this.firstCallTimeoutMs, `cache ${op}`));
  }

  /** A bump may take longer than a read (it is retried by the outbox if it fails, but a caller
   *  waits for it): four read deadlines, or the first call's. */
  private bumpDeadlineMs(): number {
    return this.connected ? this.timeoutMs * 4 : Math.max(this.timeoutMs * 4, this.firstCallTimeoutMs);
  }

  /** Notes the instance's first answer from Redis: its connection is open from then on. */
  private async answered<T>(promise: Promise<T>): Promise<T> {
    const value = await promise;
    this.connected = true;
    return value;
  }

  private failed(op: string, error: unknown, key?: string): void {
    this.replayNeeded = true;
    this.errorEpoch += 1;
    this.counters.error(op, error, key);
  }
}
