/**
 * Misses and 404s leave nothing behind for good: 2,000 requests (20,000 under FRESCO_SOAK=1) for random ids that do not
 * exist, through the real publicGeneration handler (served in this process by express) with a
 * real Cache on the harness's Redis and the real Firestore emulator. Every key they create has
 * a TTL, and once the TTLs have passed, Redis holds as many keys as before.
 */
import http from "node:http";
import { Redis } from "@upstash/redis";
import { Cache } from "../../src/cache/cache";
import { families } from "../../src/cache/map";
import { publicGenerationHandler } from "../../src/feed/handlers";
import { isDocumentId } from "../../src/shared/ids";
import { mapLimit } from "../../src/shared/map-limit";
import { db } from "../helpers/firestore";
import { serveHandlers, type HandlerServer } from "../helpers/http-server";
import { prng, testSeed } from "../helpers/random";
import { soakSize } from "../helpers/soak";
import { waitFor } from "../helpers/wait";
import { cacheHarnessForSuite, sleep, startBridgeProcess, type CacheHarness } from "./harness";

let h!: CacheHarness;
cacheHarnessForSuite((started) => (h = started));
let server: HandlerServer | undefined;
let bridge: Awaited<ReturnType<typeof startBridgeProcess>> | undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
afterAll(async () => {
  agent.destroy();
  await server?.close();
  await bridge?.close();
});

/** GET with a plain keep-alive agent (fetch costs this one thread more per request). */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

const requests = soakSize(2_000, 20_000);
const concurrency = 64;
// Entries of the generation family live 300 s x scale (±10%): 2.7 to 3.3 s; their counters
// 2 x 330 s x scale = 6.6 s.
const ttlScale = 0.01;
// A sweep takes well under a second (~250 ms measured under load): with this pause, every key
// is alive through at least one whole sweep, so each is seen with its TTL.
const sweepPauseMs = 500;

/** Random ids, unique, valid document ids of any characters (ASCII, accents, emoji, ":", spaces). */
function randomIds(n: number): string[] {
  const random = prng(testSeed("expiry"));
  const alphabet = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:~ é€🎨"];
  const ids = new Set<string>();
  while (ids.size < n) {
    const id = `nx-${Array.from({ length: 1 + random.int(40) }, () => random.pick(alphabet)).join("")}`;
    if (isDocumentId(id)) ids.add(id);
  }
  return [...ids];
}

/** Every key with its PTTL (-1: no TTL; a key that expired between SCAN and PTTL is left out). */
async function sweep(): Promise<Array<[string, number]>> {
  const found: Array<[string, number]> = [];
  for await (const keys of h.direct.scanStream({ count: 2000 }) as AsyncIterable<string[]>) {
    if (keys.length === 0) continue;
    const replies = (await h.direct.pipeline(keys.map((key) => ["pttl", key])).exec()) ?? [];
    keys.forEach((key, i) => {
      const ttl = Number(replies[i]?.[1]);
      if (ttl !== -2) found.push([key, ttl]);
    });
  }
  return found;
}

describe("random ids that do not exist", () => {
  it(`${requests} 404s create no key without a TTL, and the key count returns to the baseline after the TTLs`, async () => {
    await h.direct.flushdb();
    // What Redis holds before: a cached item with the ordinary TTLs (entry and counter).
    await h.newCache().getOrLoad(families.generation, { historyId: "baseline" }, async () => ({ title: "kept" }));
    const baseline = await h.direct.dbsize();
    expect(baseline).toBe(2);

    // Not through the recording proxy (thousands of requests are not a trace) but through a bridge in
    // its own process on the same Redis: this thread already runs the HTTP server, the handler,
    // the cache and the Firestore client. The client is configured as in production.
    bridge = await startBridgeProcess(h.server.url);
    const redis = new Redis({ url: bridge.url, token: bridge.token, enableAutoPipelining: true, retry: false });
    const cache = new Cache({ redis, db: db(), ttlScale, timeoutMs: 5_000 });
    server = await serveHandlers({ publicGeneration: publicGenerationHandler(() => ({ db: db(), cache })) });
    const ids = randomIds(requests);

    // Sweeps all through the run: every key seen alive, with its TTL.
    const seen = { entries: new Set<string>(), counters: new Set<string>(), locks: new Set<string>() };
    const withoutTtl = new Set<string>();
    let firing = true;
    let sweeps = 0;
    let longestSweepMs = 0;
    const timedSweep = async () => {
      const started = Date.now();
      const found = await sweep();
      longestSweepMs = Math.max(longestSweepMs, Date.now() - started);
      return found;
    };
    const record = (found: Array<[string, number]>) => {
      sweeps += 1;
      for (const [key, ttl] of found) {
        if (ttl === -1) withoutTtl.add(key);
        if (key.startsWith("fresco:c:generation:nx-")) seen.entries.add(key);
        else if (key.startsWith("fresco:tagv:generation:nx-")) seen.counters.add(key);
        else if (key.startsWith("fresco:lock:")) seen.locks.add(key);
      }
    };
    const watcher = (async () => {
      while (firing) {
        record(await timedSweep());
        await sleep(sweepPauseMs);
      }
    })();

    const statuses = new Map<number, number>();
    const t0 = Date.now();
    try {
      await mapLimit(ids, concurrency, async (id) => {
        const response = await get(`${server!.url("publicGeneration")}?id=${encodeURIComponent(id)}`);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status !== 404 || JSON.parse(response.body).error !== "not found")
          throw new Error(`${id}: ${response.status} ${response.body}`);
      });
    } finally {
      firing = false;
      await watcher;
    }
    const firingMs = Date.now() - t0;
    record(await timedSweep()); // afterwards

    expect(Object.fromEntries(statuses)).toEqual({ 404: requests });
    // Every request went through Redis (a fail-open would have written nothing to check).
    expect(cache.metrics()).toMatchObject({ misses: requests, loads: requests, hits: 0, errors: 0 });
    expect([...withoutTtl]).toEqual([]);
    // The sweeps did look at the keys: every 404's entry and tag counter was seen alive.
    expect(seen.entries.size).toBe(requests);
    expect(seen.counters.size).toBe(requests);

    // Beside the baseline, one key may stay: the day's shared metrics hash (its TTL checked
    // above), which each 1,000 reads add to, so it grows with days, not with requests.
    const metricsDays = async () => (await h.direct.keys("fresco:metrics:*")).length;
    expect(await metricsDays()).toBeLessThanOrEqual(2); // a run may straddle midnight UTC
    const t1 = Date.now();
    await waitFor(async () => (await h.direct.dbsize()) === baseline + (await metricsDays()), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `the key count to return to ${baseline} and the metrics hash`,
    });
    const drainMs = Date.now() - t1;
    const left = (await h.direct.keys("*")).filter((k) => !k.startsWith("fresco:metrics:"));
    expect(left.sort()).toEqual(["fresco:c:generation:baseline", "fresco:tagv:generation:baseline"]);
    process.stderr.write(
      `[expiry] ${requests} requests (${concurrency} at a time) in ${firingMs} ms (${Math.round((requests / firingMs) * 1000)}/s); ` +
        `${sweeps} sweeps (longest ${longestSweepMs} ms) saw ${seen.entries.size} entries, ${seen.counters.size} counters, ${seen.locks.size} locks, none without a TTL; ` +
        `back to ${baseline} keys and the metrics hash ${drainMs} ms later\n`,
    );
  }, 300_000);
});
