import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Timestamp } from "firebase-admin/firestore";
import { mediaGcJob } from "../src/canvas/media/gc";
import { canvasMedia } from "../src/canvas/media/model";
import { mapLimit } from "../src/shared/map-limit";
import { db } from "../src/shared/firebase";
import { bucket, startS3, type S3Server } from "../test/canvas/media/harness";

// canvas media GC throughput: 10k unreferenced old media (records in the Firestore emulator,
// objects in s3rver), collected by one run of the job with a limit that covers them all,
// at a few concurrencies. Run through `node tools/run.mjs exec … functions/bench/media.ts`.
const count = Number(process.env.BENCH_MEDIA ?? 10_000);
const objectBytes = Number(process.env.BENCH_OBJECT_BYTES ?? 4096);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? "8,32,64").split(",").map(Number);
const dayMs = 24 * 60 * 60_000;

async function clearFirestore(): Promise<void> {
  const url = `http://${process.env.FIRESTORE_EMULATOR_HOST}/emulator/v1/projects/${process.env.GCLOUD_PROJECT}/databases/(default)/documents`;
  const response = await fetch(url, { method: "DELETE" });
  if (!response.ok) throw new Error(`clearing Firestore failed: ${response.status}`);
}

async function seed(s3: S3Server, now: number): Promise<void> {
  const writer = db().bulkWriter();
  for (let i = 0; i < count; i++) {
    void writer.set(db().collection(canvasMedia).doc(`m${i}`), {
      storagePath: `media/bench/m${i}.bin`,
      referencedByCount: 0,
      ownerUid: "bench",
      createdAt: Timestamp.fromMillis(now - 40 * dayMs + i),
      sizeBytes: objectBytes,
    });
  }
  const body = Buffer.alloc(objectBytes, 7);
  await Promise.all([
    writer.close(),
    mapLimit(
      Array.from({ length: count }, (_, i) => i),
      64,
      (i) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `media/bench/m${i}.bin`, Body: body })),
    ),
  ]);
}

async function measure(concurrency: number): Promise<string[]> {
  await clearFirestore();
  const s3 = await startS3();
  try {
    const now = Date.now();
    await seed(s3, now);
    const job = mediaGcJob(s3.store, { ttlDays: 30, batchSize: count, concurrency });
    const started = performance.now();
    const result = await job.run({ db: db(), now: () => now }, { dryRun: false, limit: count });
    const seconds = (performance.now() - started) / 1000;
    const { deleted = 0, errors = 0, bytesFreed = 0 } = result.counts;
    if (deleted !== count || errors !== 0) throw new Error(`expected ${count} deleted, got ${JSON.stringify(result.counts)}`);
    return [`${concurrency}`, `${deleted}`, seconds.toFixed(1), (deleted / seconds).toFixed(0), (bytesFreed / 1e6 / seconds).toFixed(2)];
  } finally {
    await s3.stop();
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const concurrency of concurrencies) {
    rows.push(await measure(concurrency));
    console.log(`concurrency ${concurrency}: done`);
  }
  console.log(`\nCanvas media GC: ${count} media of ${objectBytes} bytes, one run (Firestore emulator + s3rver, loopback)\n`);
  console.log("| concurrency | deleted | seconds | media/s | MB/s freed |\n| ---: | ---: | ---: | ---: | ---: |");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
