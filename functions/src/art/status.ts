import { randomUUID } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { redisKeys } from "../cache/keys";
import { luaScript, scriptOn } from "../cache/lua";
import { withTimeout } from "../shared/timeout";
import { artLimits } from "./model";

/**
 * The live status of an art request in Redis, `processing:{requestId}` (the write-up's key):
 * `{ worker, attempt, status, stage, progress, updatedAt, artworkId?, error? }`. The worker that
 * takes a request claims it with SET NX (one worker per request); only that worker updates it
 * (a compare-and-set on `worker`), each update keeps it 24 h more. Firestore's request document
 * stays the authority on done and failed (status.ts only adds the live stage and progress).
 */
export interface ProcessingEntry {
  worker: string;
  attempt: number;
  status: "processing" | "done" | "failed";
  stage: string;
  progress: number;
  /** Epoch ms of the worker's last update: its heartbeat. */
  updatedAt: number;
  artworkId?: string;
  error?: string;
}

export type EntryUpdate = Partial<Pick<ProcessingEntry, "status" | "stage" | "progress" | "artworkId" | "error">>;

/** Sets the entry only while `worker` holds it. KEYS: entry. ARGV: worker, new JSON, ttl s. */
const updateScript = luaScript(
  "art.updateStatus",
  `local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, entry = pcall(cjson.decode, cur)
if not ok or type(entry) ~= 'table' or entry.worker ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1`,
);

/** Deletes the entry only while `worker` holds it. KEYS: entry. ARGV: worker. */
const releaseScript = luaScript(
  "art.releaseStatus",
  `local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local ok, entry = pcall(cjson.decode, cur)
if not ok or type(entry) ~= 'table' or entry.worker ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`,
);

/** Deletes the entry only if it is still exactly what the caller read. KEYS: entry. ARGV: JSON. */
const deleteIfScript = luaScript(
  "art.deleteStatusIf",
  `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
return 0`,
);

/** A Redis call of the worker or the recovery; an @upstash/redis aborted signal resolves as a
 *  fake success, so the deadline is a race that throws (shared/timeout.ts). */
const redisDeadlineMs = 5_000;

export interface ProcessingStatuses {
  /** SET NX: true when this worker now holds the request. */
  claim(requestId: string, worker: string, attempt: number): Promise<boolean>;
  /** The worker's update (and heartbeat); false when it no longer holds the request. */
  update(requestId: string, worker: string, update: EntryUpdate): Promise<boolean>;
  /** The worker gives the request back (a failed run, to be retried): false if it no longer held it. */
  release(requestId: string, worker: string): Promise<boolean>;
  /** The entry as stored (its raw JSON too, for `deleteIf`), or null. */
  read(requestId: string): Promise<{ entry: ProcessingEntry; raw: string } | null>;
  /** Deletes the entry if it is still `raw`: how the recovery takes a dead worker's request back. */
  deleteIf(requestId: string, raw: string): Promise<boolean>;
}

export function redisStatuses(redis: Redis, now: () => number = Date.now): ProcessingStatuses {
  const update = scriptOn<number>(redis, updateScript);
  const deleteIf = scriptOn<number>(redis, deleteIfScript);
  const release = scriptOn<number>(redis, releaseScript);
  const key = redisKeys.processing;
  const ttl = artLimits.statusTtlSeconds;
  // Workers hold the last entry they wrote, so an update needs no read.
  const held = new Map<string, ProcessingEntry>();
  const timed = <T>(p: Promise<T>, what: string) => withTimeout(p, redisDeadlineMs, what);
  return {
    async claim(requestId, worker, attempt) {
      const entry: ProcessingEntry = { worker, attempt, status: "processing", stage: "claimed", progress: 0, updatedAt: now() };
      const set = await timed(redis.set(key(requestId), JSON.stringify(entry), { nx: true, ex: ttl }), "processing claim");
      if (set === "OK") held.set(`${requestId}\n${worker}`, entry);
      return set === "OK";
    },
    async update(requestId, worker, change) {
      const id = `${requestId}\n${worker}`;
      const before = held.get(id);
      if (!before) return false;
      const entry = { ...before, ...change, updatedAt: now() };
      const ok = (await timed(update.exec([key(requestId)], [worker, JSON.stringify(entry), String(ttl)]), "processing update")) === 1;
      if (ok && entry.status === "processing") held.set(id, entry);
      else held.delete(id);
      return ok;
    },
    async release(requestId, worker) {
      held.delete(`${requestId}\n${worker}`);
      return (await timed(release.exec([key(requestId)], [worker]), "processing release")) === 1;
    },
    async read(requestId) {
      // Read as text: the client's automatic JSON parsing would lose the exact string deleteIf compares.
      const raw = await timed(redis.get<unknown>(key(requestId)), "processing read");
      if (raw === null || raw === undefined) return null;
      const text = typeof raw === "string" ? raw : JSON.stringify(raw);
      const entry = (typeof raw === "string" ? safeParse(raw) : raw) as ProcessingEntry | undefined;
      if (entry && typeof entry.worker === "string") return { entry, raw: text };
      // Not an entry Fresco wrote: read as a dead worker's (no heartbeat), so the recovery
      // removes it instead of every dispatch finding the request "held" forever.
      return { entry: { worker: "", attempt: 0, status: "processing", stage: "unreadable", progress: 0, updatedAt: 0 }, raw: text };
    },
    async deleteIf(requestId, raw) {
      return (await timed(deleteIf.exec([key(requestId)], [raw]), "processing delete")) === 1;
    },
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const newWorkerId = () => randomUUID();
