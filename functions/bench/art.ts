import { FieldPath, Timestamp } from "firebase-admin/firestore";
import { frescoClient } from "../../client/src/call";
import type { ArtDeps } from "../src/art/deps";
import { artLimits, artworks, artworkPath, impressions, viewerPath } from "../src/art/model";
import { nextArtworks, recordImpressions, sessionArtworks } from "../src/art/next";
import { startArtSession } from "../src/art/sessions";
import { userPath } from "../src/people/model";
import { db } from "../src/shared/firebase";
import { artTestDeps, seedArtworks, startArtS3 } from "../test/art/harness";
import { createUser } from "../test/helpers/auth";
import { clearAll, setBackgroundTriggers } from "../test/helpers/firestore";
import { prng } from "../test/helpers/random";
import { signedInApp } from "../test/helpers/sdk";
import { msSince as ms, p50p99 as pp, percentile } from "../test/helpers/stats";

// `npm run bench:art` (FRESCO_PORT_OFFSET=4000 npm run bench:art beside another stack):
//   1. nextArtworks with BENCH_POOL pool artworks and BENCH_IMPRESSIONS impressions of the
//      user, called in-process (triggers off), beside the bare Firestore queries it replaces
//      (the session's fresh art and the newest of the pool, no exclusion: it repeats) and the
//      naive correct version (read every impression, scan the newest until enough are unseen);
//      BENCH_ROUNDS rounds of nextArtworks + recordImpressions, zero repeats from the pool asserted;
//   2. generateArt -> the artwork in watchArtSession, through the Functions emulator (the worker
//      runs on its trigger), beside an artwork written straight to Firestore -> the watch.
const poolSize = Number(process.env.BENCH_POOL ?? 10_000);
const impressionCount = Number(process.env.BENCH_IMPRESSIONS ?? 2_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 100);
const streamSamples = Number(process.env.BENCH_STREAM_SAMPLES ?? 30);
const limit = 20;

console.info = () => undefined;
console.debug = () => undefined;
const progress = (line: string) => console.log(`[bench] ${line}`);
const timed = async <T>(samples: number[], work: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  const result = await work();
  samples.push(ms(t0));
  return result;
};

/** The bare queries the unified one replaces: the session's fresh art and the newest 20. */
async function bareQuery(sessionId: string, now: number) {
  const [fresh, pool] = await Promise.all([
    sessionArtworks(db(), sessionId, now - artLimits.freshWindowMs)
      .limit(limit)
      .get(),
    db().collection(artworks).orderBy("createdAt", "desc").limit(limit).get(),
  ]);
  return fresh.size + pool.size;
}

/** The naive correct version: every impression of the user, then the newest until 20 unseen. */
async function naiveQuery(uid: string) {
  const seen = new Set(
    (
      await db()
        .collection(`${viewerPath(uid)}/${impressions}`)
        .get()
    ).docs.map((d) => d.id),
  );
  const found: string[] = [];
  let after: FirebaseFirestore.QueryDocumentSnapshot | undefined;
  while (found.length < limit) {
    let query = db().collection(artworks).orderBy("createdAt", "desc").orderBy(FieldPath.documentId(), "desc").limit(100);
    if (after) query = query.startAfter(after);
    const page = await query.get();
    if (page.empty) break;
    for (const doc of page.docs) if (!seen.has(doc.id) && found.length < limit) found.push(doc.id);
    after = page.docs.at(-1);
  }
  return found.length;
}

async function poolTable(deps: ArtDeps) {
  const rng = prng(20261205);
  const now = Date.now();
  const ids = Array.from({ length: poolSize }, (_, i) => `bench-art-${String(i).padStart(6, "0")}`);
  progress(`seeding ${poolSize} pool artworks`);
  for (let i = 0; i < ids.length; i += 2000)
    await seedArtworks(`bench-owner-${i / 2000}`, ids.slice(i, i + 2000), (k) => (i + k) * 60_000 + 90_000, now);
  const viewer = "bench-viewer";
  const { sessionId } = await startArtSession(db(), viewer, undefined, now);
  // The user has seen 2,000 of the newest 4,000 (scrolled, with gaps): recorded as the app would.
  const seen = rng.shuffle(ids.slice(0, Math.min(poolSize, impressionCount * 2))).slice(0, impressionCount);
  progress(`recording ${seen.length} impressions`);
  for (let i = 0; i < seen.length; i += artLimits.impressionsPerCall)
    await recordImpressions(deps, viewer, sessionId, seen.slice(i, i + artLimits.impressionsPerCall));
  const fresco: number[] = [];
  const bare: number[] = [];
  const naive: number[] = [];
  const servedOnce = new Set<string>(seen);
  let repeats = 0;
  let served = 0;
  progress(`${rounds} rounds of nextArtworks + recordImpressions`);
  for (let round = 0; round < rounds; round++) {
    await timed(bare, () => bareQuery(sessionId, Date.now()));
    await timed(naive, () => naiveQuery(viewer));
    const { artworks: got } = await timed(fresco, () => nextArtworks(deps, viewer, sessionId, limit));
    for (const a of got) {
      if (servedOnce.has(a.artworkId)) repeats++;
      servedOnce.add(a.artworkId);
    }
    served += got.length;
    // The app records what it displayed: the first half of the page.
    const shown = got.slice(0, limit / 2).map((a) => a.artworkId);
    if (shown.length) await recordImpressions(deps, viewer, sessionId, shown);
  }
  const bands = ((await db().doc(viewerPath(viewer)).get()).get("seen") as unknown[]).length;
  if (repeats !== 0) throw new Error(`${repeats} pool artworks were served twice`);
  if (served !== rounds * limit) throw new Error(`served ${served}, expected ${rounds * limit}`);
  return { fresco, bare, naive, repeats, served, bands };
}

async function streamTable() {
  const uid = "bench-streamer";
  await createUser(uid);
  await db().doc(userPath(uid)).set({ username: uid, credits: 100_000 });
  const { sessionId } = await startArtSession(db(), uid, undefined, Date.now());
  const tab = await signedInApp("bench-watch", uid);
  const controller = new AbortController();
  const arrived = new Map<string, number>();
  const client = frescoClient(tab.functions, "");
  const stream = await client.watch("watchArtSession", { sessionId }, controller.signal);
  const reading = (async () => {
    for await (const chunk of stream) arrived.set(chunk.artwork.artworkId, performance.now());
  })().catch(() => undefined);
  await new Promise((r) => setTimeout(r, 1000));
  const until = async (id: string) => {
    const deadline = Date.now() + 60_000;
    while (!arrived.has(id)) {
      if (Date.now() > deadline) throw new Error(`artwork ${id} never reached the watch`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return arrived.get(id)!;
  };
  const generate = (data: { sessionId: string; prompt: string }) => client.call("generateArt", data);
  const endToEnd: number[] = [];
  const call: number[] = [];
  const floor: number[] = [];
  progress(`generateArt -> watchArtSession, ${streamSamples} samples after 3 warm-ups`);
  for (let i = 0; i < streamSamples + 3; i++) {
    const t0 = performance.now();
    const { requestId } = await generate({ sessionId, prompt: `bench ${i}` });
    const answered = performance.now();
    const at = await until(requestId);
    // The floor: an artwork written straight to Firestore, to the same watch.
    const direct = `bench-direct-${i}`;
    const t1 = performance.now();
    await db()
      .doc(artworkPath(direct))
      .set({ uid, sessionId, requestId: direct, imageUrl: "https://img.test/d.png", prompt: "d", createdAt: Timestamp.now() });
    const directAt = await until(direct);
    if (i < 3) continue;
    endToEnd.push(at - t0);
    call.push(answered - t0);
    floor.push(directAt - t1);
  }
  controller.abort();
  await reading;
  await tab.close();
  return { endToEnd, call, floor };
}

async function main(): Promise<void> {
  const started = performance.now();
  const s3 = await startArtS3();
  const deps = artTestDeps(s3, {});
  await clearAll();
  await setBackgroundTriggers(false);
  const pool = await poolTable(deps);
  await setBackgroundTriggers(true);
  const streamed = await streamTable();
  await s3.stop();

  console.log(
    `\n## Art benchmark (Firestore emulator, Redis via the Upstash REST bridge; ${new Date().toISOString()}, ${(ms(started) / 1000).toFixed(0)} s)\n`,
  );
  console.log(
    `### nextArtworks, ${poolSize} pool artworks, ${impressionCount} impressions of the user, limit ${limit} (in-process; ms, p50 / p99 over ${rounds} rounds)\n`,
  );
  console.log("| read | p50 / p99 | p50 vs bare query | repeats from the pool |");
  console.log("| --- | ---: | ---: | ---: |");
  const ratio = (xs: number[]) => `${(percentile(xs, 50) / percentile(pool.bare, 50)).toFixed(2)}x`;
  console.log(`| bare queries (session's fresh art + newest ${limit}; no exclusion) | ${pp(pool.bare)} | 1.00x | (repeats every call) |`);
  console.log(`| naive exclusion (read every impression, scan the newest) | ${pp(pool.naive)} | ${ratio(pool.naive)} | 0 |`);
  console.log(
    `| Fresco nextArtworks (bands + impressions, one transaction) | ${pp(pool.fresco)} | ${ratio(pool.fresco)} | ${pool.repeats} |`,
  );
  console.log(
    `\n${rounds} rounds served ${pool.served} pool artworks, none twice (asserted); the viewer ended with ${pool.bands} band(s).\n`,
  );
  console.log(
    `### generateArt -> the artwork in watchArtSession (Functions emulator, local generator; ms, p50 / p99 over ${streamSamples})\n`,
  );
  console.log("| path | p50 / p99 |");
  console.log("| --- | ---: |");
  console.log(`| generateArt answered (credits spent, request queued) | ${pp(streamed.call)} |`);
  console.log(`| generateArt -> worker (claim, render 512 px, store in S3, complete) -> chunk in the watch | ${pp(streamed.endToEnd)} |`);
  console.log(`| floor: an artwork written straight to Firestore -> chunk in the watch | ${pp(streamed.floor)} |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
