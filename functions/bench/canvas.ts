import { Timestamp } from "firebase-admin/firestore";
import { loadCanvasState } from "../src/canvas/load";
import { elementPath, projectPath } from "../src/canvas/model";
import type { UploadStore } from "../src/canvas/media/uploads";
import type { CanvasOpInput } from "../src/canvas/model";
import { applyCanvasOps, createCanvasProject } from "../src/canvas/ops";
import { snapshotProject } from "../src/canvas/snapshot";
import { db } from "../src/shared/firebase";
import { percentile } from "../test/helpers/stats";

// `FRESCO_PORT_OFFSET=4000 node tools/run.mjs exec functions/node_modules/.bin/tsx functions/bench/canvas.ts`:
// snapshot and load time of canvas projects of 1k, 10k and 50k elements (~500 bytes each),
// seeded directly with a BulkWriter, then a few ops through applyCanvasOps; and applyCanvasOps
// throughput for calls of 1, 50 and 500 ops.
const sizes = (process.env.BENCH_CANVAS_SIZES ?? "1000,10000,50000").split(",").map(Number);
const opsAfterSeed = 20;
const opsAfterSnapshot = 50;
const loads = 3;
const batches = (process.env.BENCH_CANVAS_BATCHES ?? "1,50,500").split(",").map(Number);
const opsPerRow = Number(process.env.BENCH_CANVAS_OPS ?? 2000);
const hub = process.env.FIREBASE_EMULATOR_HUB ?? "127.0.0.1:4400";

async function clear(): Promise<void> {
  const host = process.env.FIRESTORE_EMULATOR_HOST;
  await fetch(`http://${host}/emulator/v1/projects/${process.env.GCLOUD_PROJECT}/databases/(default)/documents`, { method: "DELETE" });
}

const element = (i: number) => ({
  kind: ["rect", "text", "image", "path"][i % 4],
  x: (i * 37) % 4000,
  y: (i * 91) % 3000,
  locked: i % 5 === 0,
  style: { fill: `#${((i * 2654435761) % 0xffffff).toString(16)}`, stroke: { width: i % 8, dash: [i % 5, 2] } },
  text: `element ${i} `.padEnd(380, "."),
});

async function seed(projectId: string, count: number): Promise<void> {
  const at = Timestamp.now();
  await db()
    .doc(projectPath(projectId))
    .set({ ownerUid: "bench", opIndex: 0, lastSnapshotOpIndex: 0, lastSnapshotAt: at, createdAt: at, updatedAt: at });
  const writer = db().bulkWriter();
  for (let i = 0; i < count; i++) void writer.set(db().doc(elementPath(projectId, `e${String(i).padStart(6, "0")}`)), element(i));
  await writer.close();
}

const noMediaStore: UploadStore = {
  presignPut: () => Promise.reject(new Error("the bench refers to no media")),
  stat: () => Promise.reject(new Error("the bench refers to no media")),
};
const deps = { db: db(), uploads: noMediaStore };

/** `n` ops in calls of `batch` ops each: three upserts for every delete, over 1,000 ids. */
async function ops(projectId: string, n: number, from: number, batch = 1): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < n; i += batch) {
    const calls = Array.from({ length: Math.min(batch, n - i) }, (_, k): CanvasOpInput => {
      const j = i + k;
      const elementId = `e${String((from + j * 7919) % 1000).padStart(6, "0")}`;
      return j % 4 === 3 ? { type: "delete", elementId } : { type: "upsert", elementId, element: element(from + j) };
    });
    const [, ms] = await timed(() => applyCanvasOps(deps, "bench", { projectId, ops: calls }));
    latencies.push(ms);
  }
  return latencies;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const median = (xs: number[]) => percentile(xs, 50);

/** Snapshot and load of projects of each size: the load as pages of <= 4.5 MB (what
 *  loadCanvasProject answers) next to the same load as one answer (the loader before paging). */
async function snapshotAndLoad(): Promise<string[][]> {
  const rows: string[][] = [];
  for (const count of sizes) {
    await clear();
    const id = `bench-${count}`;
    const [, seedMs] = await timed(() => seed(id, count));
    await ops(id, opsAfterSeed, 0);
    const [report, snapshotMs] = await timed(() => snapshotProject({ db: db(), now: Date.now }, id));
    if (report.outcome !== "snapshotted") throw new Error(`snapshot of ${id}: ${report.outcome}`);
    await ops(id, opsAfterSnapshot, opsAfterSeed);
    const paged: number[] = [];
    const whole: number[] = [];
    let bytes = 0;
    let pages = 0;
    for (let i = 0; i < loads; i++) {
      const [loaded, ms] = await timed(() => loadCanvasState(db(), id));
      const [single, singleMs] = await timed(() => loadCanvasState(db(), id, Number.POSITIVE_INFINITY));
      paged.push(ms);
      whole.push(singleMs);
      bytes = Buffer.byteLength(JSON.stringify(single!.elements));
      pages = loaded!.pages;
      if (loaded!.opsReplayed !== opsAfterSnapshot) throw new Error(`load of ${id} replayed ${loaded!.opsReplayed} ops`);
      if (JSON.stringify(loaded!.elements) !== JSON.stringify(single!.elements)) throw new Error(`paged load of ${id} differs`);
    }
    rows.push([
      String(count),
      (bytes / 1e6).toFixed(1),
      String(report.partCount),
      (seedMs / 1000).toFixed(1),
      snapshotMs.toFixed(0),
      median(whole).toFixed(0),
      `${median(paged).toFixed(0)} (${pages} pages)`,
      String(opsAfterSnapshot),
    ]);
    console.log(`[bench] ${count} elements done`);
  }
  return rows;
}

/** applyCanvasOps on one project: the same ops sent 1, 50 or 500 per call. */
async function applyThroughput(): Promise<string[][]> {
  const rows: string[][] = [];
  for (const batch of batches) {
    await clear();
    const id = `apply-${batch}`;
    await createCanvasProject(db(), "bench", "", Date.now(), id);
    const [latencies, ms] = await timed(() => ops(id, opsPerRow, 0, batch));
    rows.push([
      String(batch),
      String(opsPerRow),
      (opsPerRow / (ms / 1000)).toFixed(0),
      (latencies.length / (ms / 1000)).toFixed(1),
      percentile(latencies, 50).toFixed(0),
      percentile(latencies, 99).toFixed(0),
    ]);
    console.log(`[bench] applyCanvasOps ${batch} per call done`);
  }
  const base = Number(rows[0]![2]);
  return rows.map((r) => [...r, `${(Number(r[2]) / base).toFixed(1)}x`]);
}

async function main(): Promise<void> {
  await fetch(`http://${hub}/functions/disableBackgroundTriggers`, { method: "PUT" });
  const applyRows = await applyThroughput();
  const loadRows = await snapshotAndLoad();
  console.log(
    `\napplyCanvasOps throughput (Firestore emulator, one editor, ${opsPerRow} ops of ~500 bytes per row; baseline: 1 op per call)\n`,
  );
  console.log(
    "| ops per call | ops | ops/s | calls/s | call p50 (ms) | call p99 (ms) | vs 1 per call |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of applyRows) console.log(`| ${r.join(" | ")} |`);
  console.log(
    `\nCanvas snapshot and load (load = newest snapshot + ops replayed, median of ${loads}; one answer = the same load unpaged)\n`,
  );
  console.log(
    "| elements | size (MB JSON) | parts | seed (s) | snapshot (ms) | load, one answer (ms) | load, paged (ms) | ops replayed |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of loadRows) console.log(`| ${r.join(" | ")} |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
