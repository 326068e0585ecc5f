import { Timestamp } from "firebase-admin/firestore";
import { loadCanvasState } from "../src/canvas/load";
import { elementPath, projectPath } from "../src/canvas/model";
import { applyOp } from "../src/canvas/ops";
import { snapshotProject } from "../src/canvas/snapshot";
import { storageSize } from "../src/canvas/size";
import { db } from "../src/shared/firebase";
import { percentile } from "../test/helpers/stats";

// `FRESCO_PORT_OFFSET=4000 node tools/run.mjs exec functions/node_modules/.bin/tsx functions/bench/canvas.ts`:
// snapshot and load time of canvas projects of 1k, 10k and 50k elements (~500 bytes each),
// seeded directly with a BulkWriter, then a few ops through applyOp.
const sizes = (process.env.BENCH_CANVAS_SIZES ?? "1000,10000,50000").split(",").map(Number);
const opsAfterSeed = 20;
const opsAfterSnapshot = 50;
const loads = 3;
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

async function ops(projectId: string, n: number, from: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = `e${String((from + i * 7919) % 1000).padStart(6, "0")}`;
    await applyOp(
      db(),
      projectId,
      i % 4 === 3 ? { type: "delete", elementId: id } : { type: "upsert", elementId: id, element: element(from + i) },
    );
  }
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const median = (xs: number[]) => percentile(xs, 50);

async function main(): Promise<void> {
  await fetch(`http://${hub}/functions/disableBackgroundTriggers`, { method: "PUT" });
  const rows: string[][] = [];
  for (const count of sizes) {
    await clear();
    const id = `bench-${count}`;
    const [, seedMs] = await timed(() => seed(id, count));
    await ops(id, opsAfterSeed, 0);
    const [report, snapshotMs] = await timed(() => snapshotProject({ db: db(), now: Date.now }, id));
    if (report.outcome !== "snapshotted") throw new Error(`snapshot of ${id}: ${report.outcome}`);
    await ops(id, opsAfterSnapshot, opsAfterSeed);
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < loads; i++) {
      const [loaded, ms] = await timed(() => loadCanvasState(db(), id));
      samples.push(ms);
      bytes = storageSize(loaded!.elements);
      if (loaded!.opsReplayed !== opsAfterSnapshot) throw new Error(`load of ${id} replayed ${loaded!.opsReplayed} ops`);
    }
    rows.push([
      String(count),
      (bytes / 1e6).toFixed(1),
      String(report.partCount),
      (seedMs / 1000).toFixed(1),
      snapshotMs.toFixed(0),
      median(samples).toFixed(0),
      String(opsAfterSnapshot),
    ]);
    console.log(`[bench] ${count} elements done`);
  }
  console.log("\nCanvas snapshot and load (Firestore emulator; load = newest snapshot + ops replayed, median of 3)\n");
  console.log(
    "| elements | size (MB) | parts | seed (s) | snapshot (ms) | load (ms) | ops replayed |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
