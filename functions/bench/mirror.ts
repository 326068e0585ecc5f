import { Timestamp } from "firebase-admin/firestore";
import { frescoWorkerOptions, MirrorWorker, seedWorkerOptions, type WorkerOptions } from "../src/mirror/worker";
import { mirrorPath, mirrorQueue, sourcePath } from "../src/mirror/paths";
import { mapLimit } from "../src/shared/map-limit";
import { db } from "../src/shared/firebase";
import type { MirrorDeps } from "../src/mirror/deps";
import { sourceItem } from "../test/helpers/fixtures";
import { clearAll, setBackgroundTriggers } from "../test/helpers/firestore";
import { percentile } from "../test/helpers/stats";

// `npm run bench:mirror`: queue drain throughput (seed configuration, Fresco's, and the bare
// Firestore floor at the same concurrency) and trigger-path latency, on one emulator run.
const backlog = Number(process.env.BENCH_TASKS ?? 10_000);
const seedSample = Number(process.env.BENCH_SEED_TASKS ?? 300);
const latencyWrites = Number(process.env.BENCH_LATENCY_WRITES ?? 500);
const deps = (workerId: string): MirrorDeps => ({ db: db(), workerId, leaseMs: 60_000, now: Date.now, invalidate: async () => undefined });

const item = (i: number) =>
  sourceItem("bench", { prompt: `bench ${i}`, images: [{ url: `https://img.test/${i}.png` }], createdAt: Timestamp.now() });

/** n source items and one pending task each, written with triggers off. */
async function seedBacklog(n: number, prefix: string): Promise<void> {
  const writer = db().bulkWriter();
  for (let i = 0; i < n; i++) {
    void writer.set(db().doc(sourcePath("bench", `${prefix}${i}`)), item(i));
    void writer.set(db().collection(mirrorQueue).doc(`${prefix}t${i}`), {
      op: "upsert",
      uid: "bench",
      historyId: `${prefix}${i}`,
      status: "pending",
      attempts: 0,
      createdAt: Timestamp.fromMillis(Date.now() + i),
      updatedAt: Timestamp.now(),
    });
  }
  await writer.close();
}

async function drain(name: string, options: WorkerOptions, workers: number, n: number): Promise<number> {
  await clearAll();
  await seedBacklog(n, name);
  const pool = Array.from({ length: workers }, (_, w) => new MirrorWorker(deps(`${name}-${w}`), options));
  const started = performance.now();
  const runs = pool.map((w) => w.run());
  while (pool.reduce((s, w) => s + w.processed, 0) < n) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - started) / 1000;
  pool.forEach((w) => w.stop());
  await Promise.all(runs);
  return n / seconds;
}

/** The floor: per task only read the source, write the mirror, mark the task done. */
async function floor(n: number, concurrency: number): Promise<number> {
  await clearAll();
  await seedBacklog(n, "floor");
  const started = performance.now();
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      const source = await db()
        .doc(sourcePath("bench", `floor${i}`))
        .get();
      const batch = db().batch();
      batch.set(db().doc(mirrorPath(`floor${i}`)), { ...source.data(), uid: "bench", historyId: `floor${i}` });
      batch.update(db().collection(mirrorQueue).doc(`floort${i}`), { status: "done" });
      await batch.commit();
    },
  );
  return n / ((performance.now() - started) / 1000);
}

async function triggerLatency(n: number): Promise<number[]> {
  await clearAll();
  await setBackgroundTriggers(true);
  const ref = db().doc(sourcePath("bench", "latency"));
  const mirror = db().doc(mirrorPath("latency"));
  const samples: number[] = [];
  for (let i = -20; i < n; i++) {
    // the first 20 warm the functions up and are not counted
    const prompt = `latency ${i}`;
    const seen = new Promise<void>((resolve) => {
      const stop = mirror.onSnapshot((snap) => {
        if (snap.get("prompt") === prompt) {
          stop();
          resolve();
        }
      });
    });
    const t0 = performance.now();
    await ref.set({ ...item(i), prompt });
    await seen;
    if (i >= 0) samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

const workers = Number(process.env.BENCH_WORKERS ?? 1);
const fresco = {
  ...frescoWorkerOptions,
  batchSize: Number(process.env.BENCH_BATCH ?? frescoWorkerOptions.batchSize),
  concurrency: Number(process.env.BENCH_CONCURRENCY ?? frescoWorkerOptions.concurrency),
};

async function main(): Promise<void> {
  await setBackgroundTriggers(false);
  const concurrency = fresco.concurrency * workers;
  const seed = await drain("seed", seedWorkerOptions, 1, seedSample);
  const best = await drain("fresco", fresco, workers, backlog);
  const bare = await floor(backlog, concurrency);
  const latency = await triggerLatency(latencyWrites);
  const rows = [
    ["seed config (batch 12, 4 at a time, poll 2.5 s)", `${seedSample}`, seed.toFixed(1), "1.0x", `${((seed / bare) * 100).toFixed(1)}%`],
    [
      `Fresco (${workers} worker(s), batch ${fresco.batchSize}, ${fresco.concurrency} at a time, no pause)`,
      `${backlog}`,
      best.toFixed(1),
      `${(best / seed).toFixed(1)}x`,
      `${((best / bare) * 100).toFixed(1)}%`,
    ],
    [
      `floor: read source + write mirror + mark done, ${concurrency} at a time`,
      `${backlog}`,
      bare.toFixed(1),
      `${(bare / seed).toFixed(1)}x`,
      "100%",
    ],
  ];
  console.log("\nQueue drain (tasks/s)\n");
  console.log("| configuration | tasks | tasks/s | vs seed | of floor |\n| --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log(`\nTrigger path: source write -> mirror updated, ${latency.length} writes on warm functions (ms)\n`);
  console.log("| p50 | p95 | p99 | max |\n| ---: | ---: | ---: | ---: |");
  console.log(`| ${[50, 95, 99].map((p) => percentile(latency, p).toFixed(0)).join(" | ")} | ${latency[latency.length - 1]!.toFixed(0)} |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
