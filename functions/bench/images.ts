import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { Cache } from "../src/cache/cache";
import { entryKey, families } from "../src/cache/map";
import { loadCounts } from "../src/images/counts";
import { setLike } from "../src/images/likes";
import { imageLimits, likePath } from "../src/images/model";
import { imageDetails, likedImages, loadImageDetails } from "../src/images/reads";
import { deleteSet } from "../src/images/sets";
import { mirrorPath, sourcePath } from "../src/mirror/paths";
import { syncItem } from "../src/mirror/rebuild";
import { ensureUser, type PeopleDeps } from "../src/people/users";
import { db } from "../src/shared/firebase";
import { mapLimit } from "../src/shared/map-limit";
import { runContendedTransaction } from "../src/shared/transaction";
import { sourceItem } from "../test/helpers/fixtures";
import { clearAll, setBackgroundTriggers } from "../test/helpers/firestore";
import { testRedis } from "../test/helpers/redis";
import { percentile } from "../test/helpers/stats";

// `npm run bench:images` (FRESCO_PORT_OFFSET=4000 npm run bench:images beside another stack):
// the images writes and reads called in-process against the emulators' Firestore and the
// Upstash REST bridge, triggers off.
//   1. BENCH_LIKERS users like one hot item at once (BENCH_CONCURRENCY in flight): likeImage
//      (sharded count) beside the same transaction on one counter document (the baseline a
//      first version would write), each with its exact count checked;
//   2. imageDetails: hit and miss against the bare Firestore read it replaces and a bare GET;
//   3. deleteSet of an item liked by 1 user and of one liked by BENCH_BIG_LIKERS users: the
//      time, the documents written, and the next likedImages of sampled likers.
const likers = Number(process.env.BENCH_LIKERS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 200);
const samples = Number(process.env.BENCH_SAMPLES ?? 150);
const warmup = Number(process.env.BENCH_WARMUP ?? 20);
const bigLikers = Number(process.env.BENCH_BIG_LIKERS ?? 10_000);
const deletes = Number(process.env.BENCH_DELETES ?? 5);
const comments = 20;

console.info = () => undefined;
console.debug = () => undefined;
const progress = (line: string) => console.log(`[bench] ${line}`);
const ms = (t0: number) => performance.now() - t0;
const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const p50 = (xs: number[]) => percentile(xs, 50);
const pp = (xs: number[]) => `${f(p50(xs))} / ${f(percentile(xs, 99))}`;

async function publish(uid: string, historyId: string): Promise<void> {
  await db()
    .doc(sourcePath(uid, historyId))
    .set(sourceItem(uid, { createdAt: Timestamp.now(), updatedAt: Timestamp.now(), aestheticScore: 7 }));
  await syncItem(db(), async () => undefined, uid, historyId, Date.now());
}

// ---- 1: a hot item ------------------------------------------------------------------------

/** The baseline: the like's transaction with the count on one document (blind increment). */
async function likeOnOneDocument(store: Firestore, uid: string, historyId: string): Promise<void> {
  const edge = store.doc(`benchLikes/${historyId}/by/${uid}`);
  await runContendedTransaction(
    store,
    async (tx) => {
      const [mine, mirror] = await tx.getAll(edge, store.doc(mirrorPath(historyId)));
      if (!mirror!.exists) throw new Error("not public");
      if (mine!.exists) return;
      tx.create(edge, { at: Timestamp.now() });
      tx.set(store.doc(`benchCounts/${historyId}`), { likeCount: FieldValue.increment(1) }, { merge: true });
    },
    10,
  );
}

interface HotRow {
  label: string;
  ops: number;
  errors: number;
  seconds: number;
  ms: number[];
  count: number;
}

async function hotRun(
  label: string,
  users: string[],
  like: (uid: string) => Promise<unknown>,
  count: () => Promise<number>,
): Promise<HotRow> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await mapLimit(users, concurrency, async (uid) => {
    const t = performance.now();
    await like(uid).then(
      () => latencies.push(ms(t)),
      (error: unknown) => {
        if (++errors <= 3) console.error(`[bench] ${label}: ${String(error)}`);
      },
    );
  });
  return { label, ops: latencies.length, errors, seconds: ms(t0) / 1000, ms: latencies, count: await count() };
}

async function hotTable(deps: PeopleDeps): Promise<HotRow[]> {
  const users = Array.from({ length: likers }, (_, i) => `liker-${i}`);
  await mapLimit(["hot-owner", ...users], 16, (uid) => ensureUser(deps, uid));
  for (const id of ["hot-floor", "hot-one-shard", "hot-sharded"]) await publish("hot-owner", id);
  const shards = imageLimits.counterShards;
  const likeRun = async (label: string, historyId: string, counterShards: number) => {
    imageLimits.counterShards = counterShards; // the same likeImage, its count on fewer shards
    try {
      return await hotRun(
        label,
        users,
        (uid) => setLike(deps, uid, historyId, true),
        async () => (await loadCounts(deps.db, historyId)).likeCount,
      );
    } finally {
      imageLimits.counterShards = shards;
    }
  };
  const rows = [
    await hotRun(
      `floor: an edge and one counter document, nothing else`,
      users,
      (uid) => likeOnOneDocument(deps.db, uid, "hot-floor"),
      async () => ((await deps.db.doc("benchCounts/hot-floor").get()).get("likeCount") as number) ?? 0,
    ),
    await likeRun(`likeImage, count on 1 document (baseline)`, "hot-one-shard", 1),
    await likeRun(`likeImage, count on ${shards} shards (Fresco)`, "hot-sharded", shards),
  ];
  for (const r of rows)
    progress(`${r.label}: ${(r.ops / r.seconds).toFixed(0)} likes/s, p99 ${f(percentile(r.ms, 99))} ms, count ${r.count}`);
  return rows;
}

// ---- 2: imageDetails --------------------------------------------------------------------

async function detailsRow(deps: PeopleDeps) {
  await ensureUser(deps, "d-owner");
  await publish("d-owner", "details");
  const writer = deps.db.bulkWriter();
  for (let i = 0; i < comments; i++)
    void writer.set(deps.db.doc(`imageComments/details/comments/c${i}`), {
      uid: `liker-${i}`,
      text: `comment ${i}`,
      likeCount: i,
      createdAt: Timestamp.fromMillis(Date.UTC(2025, 0, 1) + i * 1000),
    });
  await writer.close();
  const key = entryKey(families.imageDetails, { historyId: "details", cursor: null });
  const tags = families.imageDetails.tags({ historyId: "details", cursor: null });
  const redis = testRedis();
  const row = { bare: [] as number[], miss: [] as number[], hit: [] as number[], get: [] as number[] };
  for (let i = 0; i < warmup + samples; i++) {
    const into = i >= warmup;
    await deps.cache.invalidate(tags);
    let t0 = performance.now();
    await imageDetails(deps, "details", undefined);
    if (into) row.miss.push(ms(t0));
    t0 = performance.now();
    await imageDetails(deps, "details", undefined);
    if (into) row.hit.push(ms(t0));
    t0 = performance.now();
    if ((await redis.get(key)) === null) throw new Error("no imageDetails entry after a read");
    if (into) row.get.push(ms(t0));
    t0 = performance.now();
    await loadImageDetails({ ...deps, cache: bareCards() }, async () => undefined, "details", null);
    if (into) row.bare.push(ms(t0));
  }
  progress(`imageDetails: bare ${f(p50(row.bare))} ms, miss ${f(p50(row.miss))}, hit ${f(p50(row.hit))}, GET ${f(p50(row.get))}`);
  return row;
}

/** The bare read joins its cards straight from Firestore, as a version without Redis would. */
function bareCards(): Cache {
  return {
    getOrLoad: (_family: unknown, _params: unknown, loader: (d: () => Promise<void>) => Promise<unknown>) => loader(async () => undefined),
  } as unknown as Cache;
}

// ---- 3: unpublish a liked item ----------------------------------------------------------

interface DeleteRow {
  likers: number;
  ms: number[];
  writes: number;
  gone: boolean;
}

async function deleteTable(deps: PeopleDeps): Promise<DeleteRow[]> {
  const sizes = [1, bigLikers];
  const rows: DeleteRow[] = [];
  const fans = Array.from({ length: bigLikers }, (_, i) => `fan-${i}`);
  const seed = async (historyId: string, n: number) => {
    await publish("del-owner", historyId);
    const writer = deps.db.bulkWriter();
    for (const uid of fans.slice(0, n)) void writer.set(deps.db.doc(likePath(uid, historyId)), { at: Timestamp.now() });
    await writer.close();
  };
  await ensureUser(deps, "del-owner");
  const t0 = performance.now();
  const items = sizes.map((n) => Array.from({ length: deletes }, (_, k) => `del-${n}-${k}`));
  for (const [s, n] of sizes.entries()) for (const id of items[s]!) await seed(id, n);
  progress(`seeded ${deletes} items liked by each of ${sizes.join(" and ")} users in ${(ms(t0) / 1000).toFixed(1)} s`);
  const sampled = [fans[0]!, fans[Math.floor(bigLikers / 2)]!, fans[bigLikers - 1]!];
  for (const n of sizes) rows.push({ likers: n, ms: [], writes: 0, gone: true });
  // Alternating sizes, so drift falls on both alike.
  for (let k = 0; k < deletes; k++)
    for (const [s, n] of sizes.entries()) {
      const historyId = items[s]![k]!;
      const readers = n === 1 ? [fans[0]!] : sampled;
      for (const uid of readers) await likedImages(deps, uid, 50, undefined); // cached with the item in it
      const before = Timestamp.now();
      const t = performance.now();
      const result = await deleteSet(deps, "del-owner", historyId);
      rows[s]!.ms.push(ms(t));
      if (result.invalidation !== "confirmed") throw new Error(`deleteSet ${historyId}: ${result.invalidation}`);
      if (k === 0) rows[s]!.writes = await touchedSince(deps.db, fans.slice(0, n), historyId, before);
      for (const uid of readers) {
        const page = await likedImages(deps, uid, 50, undefined);
        if (page.items.some((i) => i.historyId === historyId)) rows[s]!.gone = false;
      }
    }
  for (const r of rows) progress(`deleteSet, liked by ${r.likers}: p50 ${f(p50(r.ms))} ms, ${r.writes} like documents touched`);
  return rows;
}

/** The item's like edges written or deleted since `t` (deleteSet must touch none of them,
 *  whatever their number): each is read back with its update time. */
async function touchedSince(store: Firestore, uids: string[], historyId: string, t: Timestamp): Promise<number> {
  let touched = 0;
  for (let i = 0; i < uids.length; i += 500) {
    const docs = await store.getAll(...uids.slice(i, i + 500).map((uid) => store.doc(likePath(uid, historyId))), { fieldMask: [] });
    touched += docs.filter((d) => !d.exists || d.updateTime!.toMillis() >= t.toMillis()).length;
  }
  return touched;
}

// ---- main ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  await setBackgroundTriggers(false);
  await clearAll();
  const store = db();
  const deps: PeopleDeps = { db: store, cache: new Cache({ redis: testRedis(), db: store }) };
  await store.doc("bench/warm").get();

  const hot = await hotTable(deps);
  const details = await detailsRow(deps);
  const deleted = await deleteTable(deps);

  console.log(
    `\n## Images benchmark (Firestore emulator, Redis via the Upstash REST bridge, in-process calls, triggers off; ${new Date().toISOString()}, ${(ms(started) / 1000).toFixed(0)} s)\n`,
  );
  console.log(`### ${likers} users like one item at once (${concurrency} in flight)\n`);
  console.log("| run | likes acknowledged | errors | wall (s) | likes/s | p50 (ms) | p99 (ms) | count | exact |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of hot)
    console.log(
      `| ${r.label} | ${r.ops} | ${r.errors} | ${r.seconds.toFixed(2)} | ${(r.ops / r.seconds).toFixed(0)} | ${f(p50(r.ms))} | ${f(percentile(r.ms, 99))} | ${r.count} | ${r.count === likers ? "yes" : "NO"} |`,
    );
  console.log(
    `\n### imageDetails (ms, p50 / p99; ${samples} rounds after ${warmup}: bump the entry's tags, miss, hit, bare GET, bare Firestore; ${comments} comments)\n`,
  );
  console.log("| bare Firestore | miss | hit | bare GET of the entry | hit vs Firestore (p50) | hit vs bare GET (p50) |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${pp(details.bare)} | ${pp(details.miss)} | ${pp(details.hit)} | ${pp(details.get)} | ${(p50(details.hit) / p50(details.bare)).toFixed(2)}x | ${(p50(details.hit) / p50(details.get)).toFixed(2)}x |`,
  );
  console.log(`\n### deleteSet of a liked item (${deletes} deletes per size, alternating; ms)\n`);
  console.log("| likers | p50 | p99 | like documents touched | sampled likers' next likedImages without it |");
  console.log("| ---: | ---: | ---: | ---: | --- |");
  for (const r of deleted)
    console.log(
      `| ${r.likers.toLocaleString("en")} | ${f(p50(r.ms))} | ${f(percentile(r.ms, 99))} | ${r.writes} | ${r.gone ? "yes" : "NO"} |`,
    );
  const [one, many] = [deleted[0]!, deleted[deleted.length - 1]!];
  console.log(`\n${many.likers.toLocaleString("en")} likers vs 1: ${(p50(many.ms) / p50(one.ms)).toFixed(2)}x at p50 (goal: the same).`);
  if (hot.some((r) => r.count !== likers || r.errors > 0) || deleted.some((r) => !r.gone || r.writes > 0))
    throw new Error("a count, a delete or a liked list is wrong (see the tables)");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
