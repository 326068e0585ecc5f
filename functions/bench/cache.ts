import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { Cache } from "../src/cache/cache";
import { entryKey, families } from "../src/cache/map";
import { bumpTags } from "../src/cache/tag-versions";
import { redisKeys } from "../src/cache/keys";
import { cacheInvalidations } from "../src/cache/outbox";
import { db } from "../src/shared/firebase";
import { percentile } from "../test/helpers/stats";
import { startRedisServer } from "../tools/redis/redis-server";
import { startUpstashBridge } from "../tools/redis/upstash-bridge";
import { costTable } from "./cache-cost";
import { firstCallTable } from "./redis-first-call";

// Cache benchmark, on a redis-server and Upstash bridge of its own (the cost table uses the emulators' Firestore):
//   1. invalidation cost with 1k/10k/100k cached feed keys: tag bump (one EVALSHA of the bump script: INCR or restart, and the counter TTL) against a
//      SCAN MATCH + DEL pattern invalidation, both through @upstash/redis and the bridge;
//   2. hit latency of getOrLoad against a bare GET of the same entry;
//   3. round trips and commands per operation, and what they cost at Upstash's price (cache-cost.ts);
//   4. the first Redis call of a new instance, over HTTP and TLS (redis-first-call.ts).
// Run: FRESCO_PORT_OFFSET=3000 node tools/run.mjs exec functions/node_modules/.bin/tsx functions/bench/cache.ts
const sizes = (process.env.BENCH_CACHE_KEYS ?? "1000,10000,100000").split(",").map(Number);
const hitCalls = Number(process.env.BENCH_CACHE_HITS ?? 2000);
// BENCH_CACHE_TABLES=cost,first-call runs only those tables (all four by default).
const tables = new Set((process.env.BENCH_CACHE_TABLES ?? "invalidation,hit,cost,first-call").split(","));
const bumpReps = 200;
const scanReps = (n: number) => (n <= 1_000 ? 10 : n <= 10_000 ? 5 : 2);
const TOKEN = "bench-cache";

const tag = "feed:public";
const pageKey = (i: number) => entryKey(families.feedPage, { sort: "recent", limit: 20, cursor: `c${i}` });
/** A feed page of 20 items, roughly what the public feed caches (~4 KB of JSON). */
const feedPage = {
  items: Array.from({ length: 20 }, (_, i) => ({
    id: `hist${i}`,
    uid: `user${i % 7}`,
    prompt: `a lighthouse at dusk, oil painting, variation ${i}`,
    imageUrl: `https://img.fresco.test/u${i % 7}/hist${i}.webp`,
    aestheticScore: 6.5 + i / 100,
    createdAt: 1_700_000_000_000 + i,
  })),
  next: "eyJjIjoxNzAwMDAwMDAwMDIwLCJpZCI6Imhpc3QxOSJ9",
};

const ms = (t0: number) => performance.now() - t0;
function stats(samples: number[]) {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), mean: samples.reduce((s, x) => s + x, 0) / samples.length };
}
const f = (x: number, digits = 2) => x.toFixed(digits);

/** n cached feed pages straight over TCP (seeding is not what is measured). */
async function seed(direct: IORedis, n: number): Promise<void> {
  const value = JSON.stringify({ v: feedPage, t: { [tag]: 1 } });
  for (let start = 0; start < n; start += 5_000) {
    const pipeline = direct.pipeline();
    for (let i = start; i < Math.min(n, start + 5_000); i++) pipeline.set(pageKey(i), value, "PX", 600_000);
    await pipeline.exec();
  }
}

/** The pattern invalidation a tag bump replaces: walk the keyspace, delete what matches. */
async function scanAndDelete(redis: Redis): Promise<number> {
  let cursor: string | number = "0";
  let deleted = 0;
  do {
    const [next, keys]: [string | number, string[]] = await redis.scan(cursor, { match: "fresco:c:feed:*", count: 1000 });
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (String(cursor) !== "0");
  return deleted;
}

async function invalidationTable(redis: Redis, direct: IORedis): Promise<void> {
  const rows: string[] = [];
  let ratioAtMax = 0;
  for (const n of sizes) {
    await direct.flushdb();
    await seed(direct, n);
    const bumps: number[] = [];
    for (let i = 0; i < bumpReps; i++) {
      const t0 = performance.now();
      await bumpTags(redis, [tag], 10_000);
      bumps.push(ms(t0));
    }
    const scans: number[] = [];
    for (let rep = 0; rep < scanReps(n); rep++) {
      await seed(direct, n);
      const t0 = performance.now();
      const deleted = await scanAndDelete(redis);
      scans.push(ms(t0));
      if (deleted !== n) throw new Error(`SCAN+DEL deleted ${deleted} keys, expected ${n}`);
    }
    const bump = stats(bumps);
    const scan = stats(scans);
    ratioAtMax = scan.mean / bump.mean;
    rows.push(
      `| ${n.toLocaleString("en")} | ${f(bump.mean)} (p50 ${f(bump.p50)}) | ${f(scan.mean, 1)} | ${f(scan.mean / bump.mean, 0)}x |`,
    );
  }
  console.log("\n### Invalidation cost (ms per invalidation, through @upstash/redis and the bridge)\n");
  console.log(
    `| cached feed keys | tag bump: one bump-script call (${bumpReps} runs) | SCAN MATCH fresco:c:feed:* COUNT 1000 + DEL | SCAN+DEL / bump |`,
  );
  console.log("|---:|---:|---:|---:|");
  for (const row of rows) console.log(row);
  console.log(`\nAt ${sizes[sizes.length - 1]!.toLocaleString("en")} keys a pattern invalidation costs ${f(ratioAtMax, 0)}x a tag bump.`);
}

async function hitTable(redis: Redis): Promise<void> {
  const cache = new Cache({ redis, db: db() }); // production settings: 150 ms deadline
  // In a function the Firestore client is warm (the loaders use it); a Redis hiccup here makes
  // the cache replay the outbox, which should not also pay for the client's first connection.
  await db().collection(cacheInvalidations).limit(1).get();
  const params = { sort: "score", limit: 20, cursor: null } as const;
  const key = entryKey(families.feedPage, params);
  const loader = async () => feedPage;
  await cache.getOrLoad(families.feedPage, params, loader); // the miss that stores the entry
  const viaCache: number[] = [];
  const bare: number[] = [];
  const timeCache = async (into?: number[]) => {
    const t0 = performance.now();
    await cache.getOrLoad(families.feedPage, params, loader);
    into?.push(ms(t0));
  };
  const timeGet = async (into?: number[]) => {
    const t0 = performance.now();
    if ((await redis.get(key)) === null) throw new Error("the entry vanished");
    into?.push(ms(t0));
  };
  for (let i = 0; i < 200; i++) await timeCache();
  for (let i = 0; i < 200; i++) await timeGet();
  // Alternating call by call, so drift (GC, a busy machine) falls on both sides alike.
  for (let i = 0; i < hitCalls; i++) {
    await timeCache(viaCache);
    await timeGet(bare);
  }
  const c = stats(viaCache);
  const g = stats(bare);
  const m = cache.metrics();
  console.log(`\n### Hit latency (ms, ${hitCalls} sequential calls each, entry of ${JSON.stringify(feedPage).length} bytes)\n`);
  console.log("| | p50 | p95 | mean |");
  console.log("|---|---:|---:|---:|");
  console.log(`| bare @upstash/redis GET | ${f(g.p50, 3)} | ${f(g.p95, 3)} | ${f(g.mean, 3)} |`);
  console.log(`| cache.getOrLoad (hit: one MGET of entry + tag version) | ${f(c.p50, 3)} | ${f(c.p95, 3)} | ${f(c.mean, 3)} |`);
  console.log(`| ratio | ${f(c.p50 / g.p50)}x | ${f(c.p95 / g.p95)}x | ${f(c.mean / g.mean)}x |`);
  console.log(`\ncache metrics: hits ${m.hits}, misses ${m.misses}, errors ${m.errors} (target: ratio <= 1.3x)`);
}

async function main(): Promise<void> {
  const server = await startRedisServer();
  const bridge = await startUpstashBridge({ redisUrl: server.url, token: TOKEN });
  const direct = new IORedis(server.url);
  try {
    // Configured as the functions' client (src/redis/client.ts), minus retries.
    const redis = new Redis({ url: bridge.url, token: TOKEN, enableAutoPipelining: true, retry: false });
    const version = ((await direct.info("server")).match(/redis_version:(\S+)/) ?? [])[1];
    console.log(`## Cache benchmark (Node ${process.versions.node}, redis-server ${version}, local Upstash bridge)`);
    if (tables.has("invalidation")) await invalidationTable(redis, direct);
    await direct.flushdb();
    if (tables.has("hit")) {
      await hitTable(redis);
      if (Number(await direct.get(redisKeys.tagVersion("feed:public"))) < 1) throw new Error("the cache did not store its tag version");
    }
    if (tables.has("cost")) await costTable();
    if (tables.has("first-call")) await firstCallTable();
  } finally {
    direct.disconnect();
    await bridge.close();
    await server.stop();
  }
}

main().then(
  () => process.exit(0), // the Firestore client (unused here unless Redis fails) would keep the process alive
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
