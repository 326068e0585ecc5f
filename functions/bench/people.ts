import { Timestamp, type BulkWriter, type Firestore } from "firebase-admin/firestore";
import { Cache } from "../src/cache/cache";
import { entryKey, families, type CacheFamily } from "../src/cache/map";
import { generations } from "../src/mirror/paths";
import { promptWords } from "../src/mirror/words";
import { setFollow } from "../src/people/follow";
import { followerPath, followingPath, userPath } from "../src/people/model";
import { updateProfile } from "../src/people/profile";
import {
  explore,
  exploreWords,
  followingFeed,
  loadExplore,
  loadFollowingFeed,
  loadMe,
  loadUserProfile,
  me,
  userProfile,
} from "../src/people/reads";
import { ensureUser, type PeopleDeps } from "../src/people/users";
import { mapLimit } from "../src/shared/map-limit";
import { db } from "../src/shared/firebase";
import { clearAll, setBackgroundTriggers } from "../test/helpers/firestore";
import { testRedis } from "../test/helpers/redis";
import { percentile } from "../test/helpers/stats";

// `npm run bench:people` (FRESCO_PORT_OFFSET=4000 npm run bench:people beside another stack):
// the people reads and writes, called in-process against the emulators' Firestore and the
// Upstash REST bridge (not through the Functions emulator's HTTP), triggers off.
//   1. me, userProfile, explore and followingFeed: hit and miss latency against the bare
//      Firestore loader each replaces and a bare Redis GET of the read's own entry (the floor),
//      one sample of each per round, so drift falls on all columns alike. A miss is forced by
//      bumping the read's own tags (cache.invalidate, not timed) right before the call;
//   2. followingFeed of a user who follows BENCH_CREATORS creators (goal: hit <= 2x bare GET);
//   3. rename (updateProfile: displayName and username) of a user with 10 and with 10,000 items;
//   4. follow/unfollow throughput: many followers on one target, and each on a target of its own.
const samples = Number(process.env.BENCH_SAMPLES ?? 200);
const feedSamples = Number(process.env.BENCH_FEED_SAMPLES ?? samples);
const warmup = Number(process.env.BENCH_WARMUP ?? 20);
const creators = Number(process.env.BENCH_CREATORS ?? 1000);
const itemsPerCreator = Number(process.env.BENCH_CREATOR_ITEMS ?? 2);
const profileItems = Number(process.env.BENCH_PROFILE_ITEMS ?? 50);
const smallFollowing = Number(process.env.BENCH_SMALL_FOLLOWING ?? 10);
const renameSizes = (process.env.BENCH_RENAME_ITEMS ?? "10,10000").split(",").map(Number);
const renames = Number(process.env.BENCH_RENAMES ?? 20);
const followers = Number(process.env.BENCH_FOLLOWERS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const limit = 20;
const exploreQuery = "lighthouse dusk";

// firebase-functions/logger writes info/debug through these: one line per follow and rename.
console.info = () => undefined;
console.debug = () => undefined;

const progress = (line: string) => console.log(`[bench] ${line}`);
const ms = (t0: number) => performance.now() - t0;
const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const pp = (xs: number[]) => `${f(percentile(xs, 50))} / ${f(percentile(xs, 99))}`;
const p50 = (xs: number[]) => percentile(xs, 50);

const subjects = ["a lighthouse", "a fox", "a castle", "a forest"];
const times = ["at dusk", "at dawn", "at night"];
const styles = ["oil painting", "watercolor", "pixel art", "photograph", "charcoal sketch"];
/** Prompts from a small vocabulary: 1 in 4 has "lighthouse", 1 in 12 "lighthouse" and "dusk". */
const promptFor = (i: number) => `${subjects[i % 4]} ${times[i % 3]}, ${styles[i % 5]}, variation ${i}`;
const base = Date.UTC(2025, 0, 1);

/** A `generations/{id}` mirror document, as functions/test/helpers/fixtures.ts mirrorDoc builds
 *  it, with the prompt's words and its own createdAt. */
function mirrorDoc(uid: string, username: string, prompt: string, createdAtMs: number) {
  const createdAt = Timestamp.fromMillis(createdAtMs);
  return {
    uid,
    prompt,
    promptWords: promptWords(prompt),
    model: "sdxl",
    videos: [],
    createdBy: { uid, username },
    images: [{ url: `https://img.test/${uid}-${createdAtMs}.png`, thumbnailUrl: "https://img.test/t.png", width: 512 }],
    aestheticScore: 5 + (createdAtMs % 500) / 100,
    createdAt,
    sourceVersion: 1,
    mirroredAt: createdAt,
  };
}

async function bulk(write: (w: BulkWriter) => void): Promise<void> {
  const writer = db().bulkWriter();
  write(writer);
  await writer.close();
}

const usernameOf = async (uid: string) => (await db().doc(userPath(uid)).get()).get("username") as string;

// ---- 1, 2: reads --------------------------------------------------------------------------

interface ReadCase<P> {
  name: string;
  family: CacheFamily<P>;
  params: P;
  bare: () => Promise<unknown>;
  cached: () => Promise<unknown>;
  samples: number;
}

interface ReadRow {
  name: string;
  bare: number[];
  miss: number[];
  hit: number[];
  get: number[];
}

async function measureRead<P>(deps: PeopleDeps, c: ReadCase<P>): Promise<ReadRow> {
  const key = entryKey(c.family, c.params);
  const tags = c.family.tags(c.params);
  const row: ReadRow = { name: c.name, bare: [], miss: [], hit: [], get: [] };
  const redis = testRedis();
  for (let i = 0; i < warmup + c.samples; i++) {
    const into = i >= warmup;
    await deps.cache.invalidate(tags); // the next call is a miss (its entry's versions are old)
    let t0 = performance.now();
    await c.cached();
    if (into) row.miss.push(ms(t0));
    t0 = performance.now();
    await c.cached();
    if (into) row.hit.push(ms(t0));
    t0 = performance.now();
    const raw = await redis.get(key);
    if (into) row.get.push(ms(t0));
    if (raw === null) throw new Error(`${c.name}: no entry at ${key} after a read`);
    t0 = performance.now();
    await c.bare();
    if (into) row.bare.push(ms(t0));
  }
  progress(`${c.name}: bare ${f(p50(row.bare))} ms, miss ${f(p50(row.miss))}, hit ${f(p50(row.hit))}, GET ${f(p50(row.get))} (p50)`);
  return row;
}

async function seedReads(deps: PeopleDeps) {
  const t0 = performance.now();
  const creatorIds = Array.from({ length: creators }, (_, i) => `c-${String(i).padStart(5, "0")}`);
  const profileUid = "p-main";
  const bigFollower = "f-big";
  const smallFollower = "f-small";
  await mapLimit([...creatorIds, profileUid, bigFollower, smallFollower], concurrency, (uid) => ensureUser(deps, uid));
  await updateProfile(deps, profileUid, { displayName: "Profile Bench", bio: "A user whose profile page is read." });
  const names = await mapLimit(creatorIds, concurrency, usernameOf);
  const profileName = await usernameOf(profileUid);
  await bulk((w) => {
    // Interleaved in time: creator c's j-th item is newer than every creator's (j-1)-th.
    for (let j = 0; j < itemsPerCreator; j++)
      for (let c = 0; c < creators; c++) {
        const n = j * creators + c;
        void w.set(db().doc(`${generations}/ci-${n}`), mirrorDoc(creatorIds[c]!, names[c]!, promptFor(n), base + n * 1000 + 1));
      }
    for (let i = 0; i < profileItems; i++)
      void w.set(db().doc(`${generations}/pi-${i}`), mirrorDoc(profileUid, profileName, promptFor(i), base + i * 1000 + 2));
    // Follow edges written directly (both sides, and the counts), as setFollow would leave them.
    const at = Timestamp.fromMillis(base);
    for (const [follower, count] of [
      [bigFollower, creators],
      [smallFollower, Math.min(smallFollowing, creators)],
    ] as const) {
      for (const creator of creatorIds.slice(0, count)) {
        void w.set(db().doc(followingPath(follower, creator)), { at });
        void w.set(db().doc(followerPath(creator, follower)), { at });
      }
      void w.update(db().doc(userPath(follower)), { followingCount: count });
    }
  });
  progress(
    `seeded ${creators} creators x ${itemsPerCreator} items, ${profileItems} profile items, follow edges (${creators} and ${smallFollowing}) in ${(ms(t0) / 1000).toFixed(1)} s`,
  );
  return { profileUid, bigFollower, smallFollower };
}

async function readsTable(deps: PeopleDeps): Promise<ReadRow[]> {
  const { profileUid, bigFollower, smallFollower } = await seedReads(deps);
  const words = exploreWords(exploreQuery);
  // Sanity: the pages are full, so every read does its whole work.
  const checks = await Promise.all([
    userProfile(deps, profileUid, limit, undefined),
    explore(deps, exploreQuery, limit, undefined),
    followingFeed(deps, bigFollower, limit, undefined),
    followingFeed(deps, smallFollower, limit, undefined),
  ]);
  checks.forEach((page, i) => {
    if (page.items.length !== limit) throw new Error(`read ${i} answered ${page.items.length} items, not ${limit}`);
  });
  const cases = [
    () =>
      measureRead(deps, {
        name: "me",
        family: families.me,
        params: { uid: profileUid },
        bare: () => loadMe(deps.db, profileUid),
        cached: () => me(deps, profileUid),
        samples,
      }),
    () =>
      measureRead(deps, {
        name: `userProfile (limit ${limit}, ${profileItems} items)`,
        family: families.userProfile,
        params: { uid: profileUid, limit, cursor: null },
        bare: () => loadUserProfile(deps, profileUid, limit, null),
        cached: () => userProfile(deps, profileUid, limit, undefined),
        samples,
      }),
    () =>
      measureRead(deps, {
        name: `explore "${exploreQuery}" (limit ${limit})`,
        family: families.explore,
        params: { q: words.join(" "), limit, cursor: null },
        bare: () => loadExplore(deps.db, words, limit, null),
        cached: () => explore(deps, exploreQuery, limit, undefined),
        samples,
      }),
    ...(
      [
        [smallFollower, Math.min(smallFollowing, creators), samples],
        [bigFollower, creators, feedSamples],
      ] as const
    ).map(
      ([uid, count, n]) =>
        () =>
          measureRead(deps, {
            name: `followingFeed (limit ${limit}), ${count.toLocaleString("en")} creators followed`,
            family: families.followingFeed,
            params: { uid, limit, cursor: null },
            bare: () => loadFollowingFeed(deps.db, uid, limit, null),
            cached: () => followingFeed(deps, uid, limit, undefined),
            samples: n,
          }),
    ),
  ];
  const rows: ReadRow[] = [];
  for (const run of cases) rows.push(await run());
  return rows;
}

// ---- 3: rename ----------------------------------------------------------------------------

interface RenameRow {
  items: number;
  ms: number[];
  rewritten: number;
  shown: boolean;
}

async function renameTable(deps: PeopleDeps): Promise<RenameRow[]> {
  const users = renameSizes.map((items, u) => ({ items, uid: `r-${items}-${u}` }));
  const t0 = performance.now();
  for (const { uid, items } of users) {
    await ensureUser(deps, uid);
    const username = await usernameOf(uid);
    await bulk((w) => {
      for (let i = 0; i < items; i++)
        void w.set(
          db().doc(`${generations}/${uid}-i${i}`),
          mirrorDoc(uid, username, `rename filler ${i}`, base + 5_000_000_000 + i * 1000),
        );
    });
  }
  progress(`seeded rename users with ${renameSizes.join(" and ")} items in ${(ms(t0) / 1000).toFixed(1)} s`);
  // Warm: each user's profile page cached (so the renames invalidate something real), one rename each.
  for (const { uid } of users) {
    await userProfile(deps, uid, limit, undefined);
    await updateProfile(deps, uid, { displayName: `warm ${uid}` });
  }
  const startedAt = Timestamp.now();
  const rows = users.map(({ items }) => ({ items, ms: [] as number[], rewritten: 0, shown: false }));
  const lastNames = users.map(() => "");
  // Alternating user by user, so drift falls on both sizes alike.
  for (let i = 0; i < renames; i++)
    for (const [u, { uid }] of users.entries()) {
      const username = `ren_${u}_${i}`;
      const t = performance.now();
      await updateProfile(deps, uid, { displayName: `Renamed ${i}`, username });
      rows[u]!.ms.push(ms(t));
      lastNames[u] = username;
    }
  for (const [u, { uid }] of users.entries()) {
    // No item was written by the renames (their update times are all older than the first rename) ...
    const snap = await db().collection(generations).where("uid", "==", uid).select().get();
    if (snap.size !== users[u]!.items) throw new Error(`${uid} has ${snap.size} items, not ${users[u]!.items}`);
    rows[u]!.rewritten = snap.docs.filter((d) => d.updateTime.toMillis() >= startedAt.toMillis()).length;
    // ... and the next profile read shows the new name beside every item.
    const page = await userProfile(deps, uid, limit, undefined);
    rows[u]!.shown = page.items.length > 0 && page.items.every((item) => item.creator.username === lastNames[u]);
  }
  progress(`renames: ${rows.map((r) => `${r.items} items p50 ${f(p50(r.ms))} ms`).join(", ")}`);
  return rows;
}

// ---- 4: follow / unfollow -------------------------------------------------------------------

interface FollowRow {
  label: string;
  ops: number;
  errors: number;
  seconds: number;
  ms: number[];
  exact: boolean;
}

async function followRun(deps: PeopleDeps, label: string, pairs: Array<[string, string]>, follow: boolean): Promise<FollowRow> {
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  await mapLimit(pairs, concurrency, async ([uid, target]) => {
    const t = performance.now();
    await setFollow(deps, uid, target, follow).then(
      () => latencies.push(ms(t)),
      (error: unknown) => {
        errors++;
        if (errors <= 3) console.error(`[bench] ${label}: ${String(error)}`);
      },
    );
  });
  const seconds = ms(t0) / 1000;
  // Exact: every target's count equals its follower documents (and what the run should leave).
  const targets = [...new Set(pairs.map(([, t]) => t))];
  const expected = new Map<string, number>();
  for (const [, t] of pairs) expected.set(t, follow ? (expected.get(t) ?? 0) + 1 : 0);
  const checks = await mapLimit(targets, concurrency, async (t) => {
    const [user, edges] = await Promise.all([
      db().doc(userPath(t)).get(),
      db()
        .collection(`${userPath(t)}/followers`)
        .count()
        .get(),
    ]);
    const count = user.get("followersCount") as number;
    return count === edges.data().count && count === expected.get(t);
  });
  return { label, ops: latencies.length, errors, seconds, ms: latencies, exact: checks.every(Boolean) };
}

async function followTable(deps: PeopleDeps): Promise<FollowRow[]> {
  const fans = Array.from({ length: followers }, (_, i) => `fan-${i}`);
  const ownTargets = Array.from({ length: followers }, (_, i) => `tgt-${i}`);
  const hot = "tgt-hot";
  await mapLimit([...fans, ...ownTargets, hot], concurrency, (uid) => ensureUser(deps, uid));
  progress(`follow: ${followers} followers and ${followers + 1} targets created`);
  const contended = fans.map((u) => [u, hot] as [string, string]);
  const distinct = fans.map((u, i) => [u, ownTargets[i]!] as [string, string]);
  const rows = [
    await followRun(deps, `follow, ${followers} followers -> 1 target`, contended, true),
    await followRun(deps, `unfollow, ${followers} followers -> 1 target`, contended, false),
    await followRun(deps, `follow, ${followers} followers -> ${followers} targets (1 each)`, distinct, true),
    await followRun(deps, `unfollow, ${followers} followers -> ${followers} targets (1 each)`, distinct, false),
  ];
  for (const r of rows) progress(`${r.label}: ${(r.ops / r.seconds).toFixed(0)} ops/s, p50 ${f(p50(r.ms))} ms, errors ${r.errors}`);
  return rows;
}

// ---- main ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  await setBackgroundTriggers(false);
  await clearAll();
  const store: Firestore = db();
  const deps: PeopleDeps = { db: store, cache: new Cache({ redis: testRedis(), db: store }) };
  await store.doc("bench/warm").get(); // the Firestore client's first connection is not measured

  const reads = await readsTable(deps);
  const follows = await followTable(deps);
  const renamesRows = await renameTable(deps);

  const m = deps.cache.metrics();
  console.log(
    `\n## People benchmark (Firestore emulator, Redis via the Upstash REST bridge, in-process calls, triggers off; ${new Date().toISOString()}, ${(ms(started) / 1000).toFixed(0)} s)\n`,
  );
  console.log(
    `### Reads (ms, p50 / p99; ${samples} rounds each${feedSamples !== samples ? `, ${feedSamples} for the ${creators}-creator feed` : ""}, after ${warmup} warm-up rounds; one round = bump the read's tags, miss, hit, bare GET, bare Firestore)\n`,
  );
  console.log("| read | bare Firestore | miss | hit | hit vs Firestore (p50) | hit vs bare GET (p50) | bare GET of the entry |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of reads)
    console.log(
      `| ${r.name} | ${pp(r.bare)} | ${pp(r.miss)} | ${pp(r.hit)} | ${(p50(r.hit) / p50(r.bare)).toFixed(2)}x | ${(p50(r.hit) / p50(r.get)).toFixed(2)}x | ${pp(r.get)} |`,
    );
  const big = reads[reads.length - 1]!;
  const ratio = p50(big.hit) / p50(big.get);
  console.log(
    `\nfollowingFeed hit for a user following ${creators.toLocaleString("en")} creators: ${f(p50(big.hit))} ms p50 = ${ratio.toFixed(2)}x a bare GET (goal <= 2x: ${ratio <= 2 ? "met" : "NOT met"}).`,
  );
  console.log(
    "A hit is one request: MGET of the entry and its tag versions (`me`), and for pages also the versions of the creators' cards the page showed when this instance last read it (its join). A miss loads, joins the cards (through the userCard entries) and stores. The bare Firestore column is the loader alone (no card join).",
  );

  console.log(`\n### Rename: updateProfile({ displayName, username }), ${renames} renames per user, alternating (ms)\n`);
  console.log("| items | rename p50 | p99 | items rewritten | next profile read shows the new name |");
  console.log("| ---: | ---: | ---: | ---: | --- |");
  for (const r of renamesRows)
    console.log(
      `| ${r.items.toLocaleString("en")} | ${f(p50(r.ms))} | ${f(percentile(r.ms, 99))} | ${r.rewritten} | ${r.shown ? "yes" : "NO"} |`,
    );
  const [small, large] = [renamesRows[0]!, renamesRows[renamesRows.length - 1]!];
  console.log(
    `\n${large.items.toLocaleString("en")} vs ${small.items.toLocaleString("en")} items: ${(p50(large.ms) / p50(small.ms)).toFixed(2)}x at p50. Documents written per rename, whatever the item count: the transaction's 4 (users/{uid}, usernames/{new}, usernames/{old} deleted, the cacheInvalidations outbox entry) and the outbox entry's delete.`,
  );

  console.log(`\n### Follow / unfollow (setFollow, ${concurrency} in flight)\n`);
  console.log("| run | ops | errors | wall (s) | ops/s | p50 (ms) | p99 (ms) | counts exact |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const r of follows)
    console.log(
      `| ${r.label} | ${r.ops} | ${r.errors} | ${r.seconds.toFixed(2)} | ${(r.ops / r.seconds).toFixed(0)} | ${f(p50(r.ms))} | ${f(percentile(r.ms, 99))} | ${r.exact ? "yes" : "NO"} |`,
    );
  console.log(`\ncache metrics: hits ${m.hits}, misses ${m.misses}, errors ${m.errors}`);
  if (follows.some((r) => !r.exact || r.errors > 0) || renamesRows.some((r) => r.rewritten > 0 || !r.shown))
    throw new Error("a follow count or a rename is wrong (see the tables)");
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
