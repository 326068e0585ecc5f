import { randomUUID } from "node:crypto";
import { Timestamp, type DocumentData, type DocumentReference, type DocumentSnapshot, type UpdateData } from "firebase-admin/firestore";
import { writes } from "../src/cache/map";
import { cacheInvalidations, flushInvalidations, recordInTransaction } from "../src/cache/outbox";
import { bumpTags } from "../src/cache/tag-versions";
import { upstashClient } from "../src/cache/upstash";
import type { MirrorDeps } from "../src/mirror/deps";
import { mirrorPath, mirrorQueue, ownerPath, sourcePath } from "../src/mirror/paths";
import { frescoWorkerOptions, MirrorWorker, seedWorkerOptions, type WorkerOptions } from "../src/mirror/worker";
import { db } from "../src/shared/firebase";
import { mapLimit } from "../src/shared/map-limit";
import { sourceItem } from "../test/helpers/fixtures";
import { clearAll, setBackgroundTriggers } from "../test/helpers/firestore";
import { percentile } from "../test/helpers/stats";

// `npm run bench:mirror`: the queue drain of a backlog, on one emulator run, quiet machine.
//  1. The floor (read the source, write the mirror, mark the task done) at 16, 32, 64 and 128
//     tasks in flight; the best of them is the baseline.
//  2. The floor plus one piece of Fresco's work at a time, each row adding to the previous
//     one, so the table shows what each guarantee costs: the due-task query, the transaction
//     (the transactional floor: read task and source, write mirror and task), the mirror and
//     owner reads in it, the outbox write, the outbox delete, the tag bumps in Redis.
//  3. Fresco's worker (every guarantee) before and after batching, the floors with the same
//     batching, and the seed system's configuration.
//  0. First of all, the trigger path's latency: source write -> mirror updated.
const backlog = Number(process.env.BENCH_TASKS ?? 10_000);
const seedSample = Number(process.env.BENCH_SEED_TASKS ?? 300);
const latencyWrites = Number(process.env.BENCH_LATENCY_WRITES ?? 500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const flushBatch = frescoWorkerOptions.flushBatch;
const redis = upstashClient(process.env.UPSTASH_REDIS_REST_URL!, process.env.UPSTASH_REDIS_REST_TOKEN!);
const bump = (tags: string[]) => bumpTags(redis, tags, 5_000);
const deps = (workerId: string): MirrorDeps => ({ db: db(), workerId, leaseMs: 60_000, now: Date.now, invalidate: bump });

const item = (i: number) =>
  sourceItem("bench", {
    prompt: `bench ${i}`,
    images: [{ url: `https://img.test/${i}.png` }],
    createdAt: Timestamp.now(),
    updatedAt: Timestamp.now(),
  });

/** n source items and one pending task each, written with triggers off. */
async function seedBacklog(n: number, prefix: string): Promise<string[]> {
  await clearAll();
  const writer = db().bulkWriter();
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  ids.forEach((id, i) => {
    void writer.set(db().doc(sourcePath("bench", id)), item(i));
    void writer.set(db().collection(mirrorQueue).doc(`t-${id}`), {
      op: "upsert",
      uid: "bench",
      historyId: id,
      status: "pending",
      attempts: 0,
      createdAt: Timestamp.fromMillis(Date.now() + i),
      updatedAt: Timestamp.now(),
    });
  });
  await writer.close();
  return ids;
}

const rate = async (n: number, run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return n / ((performance.now() - started) / 1000);
};

/** How far each variant goes: the steps of Fresco's per-task work, in order. */
type Level = "floor" | "query" | "transaction" | "reads" | "claim" | "outboxWrite" | "outboxDelete" | "bumps";
const levels: Level[] = ["floor", "query", "transaction", "reads", "claim", "outboxWrite", "outboxDelete", "bumps"];
const has = (level: Level, step: Level) => levels.indexOf(level) >= levels.indexOf(step);

/** One task's work up to `level`; returns its outbox entry when it wrote one. */
async function work(level: Level, id: string): Promise<{ id: string; tags: string[] } | undefined> {
  const source = db().doc(sourcePath("bench", id));
  const mirror = db().doc(mirrorPath(id));
  const task = db().collection(mirrorQueue).doc(`t-${id}`);
  if (!has(level, "transaction")) {
    const snap = await source.get();
    const batch = db().batch();
    batch.set(mirror, { ...snap.data(), uid: "bench", historyId: id });
    batch.update(task, { status: "done" });
    await batch.commit();
    return undefined;
  }
  return db().runTransaction(async (tx) => {
    const read = has(level, "reads") ? await tx.getAll(task, source, mirror, db().doc(ownerPath(id))) : await tx.getAll(task, source);
    tx.set(mirror, { ...read[1]!.data(), uid: "bench", historyId: id });
    tx.update(task, { status: "done" });
    if (has(level, "claim")) tx.set(db().doc(ownerPath(id)), { uid: "bench", claimedAt: Timestamp.now() });
    if (!has(level, "outboxWrite")) return undefined;
    const entry = { id: `bench-${id}-${randomUUID().slice(0, 6)}`, tags: writes.mirrorChanged.tags({ uid: "bench", historyId: id }) };
    recordInTransaction(db(), tx, entry.id, entry.tags, Date.now());
    return entry;
  });
}

/** A variant: the tasks (found by the due query from `query` on), processed `concurrency` at
 *  a time, their outbox entries deleted (and tags bumped) in batches of 100 as the worker does. */
async function variant(level: Level, n: number, concurrency: number): Promise<number> {
  const ids = await seedBacklog(n, level);
  return rate(n, async () => {
    let todo = ids;
    const flushes: Array<Promise<unknown>> = [];
    let pending: Array<{ id: string; tags: string[] }> = [];
    const flush = () => {
      const entries = pending;
      pending = [];
      if (!has(level, "outboxDelete") || entries.length === 0) return;
      const invalidate = has(level, "bumps") ? bump : async () => undefined;
      flushes.push(flushInvalidations(db(), invalidate, entries));
    };
    while (todo.length > 0) {
      if (has(level, "query")) {
        const found = await db().collection(mirrorQueue).where("status", "==", "pending").orderBy("createdAt").limit(384).get();
        todo = found.docs.map((d) => String(d.get("historyId")));
      }
      const batch = has(level, "query") ? todo : ids;
      await mapLimit(batch, concurrency, async (id) => {
        const entry = await work(level, id);
        if (entry) pending.push(entry);
        if (pending.length >= flushBatch) flush();
      });
      if (!has(level, "query")) todo = [];
    }
    flush();
    await Promise.all(flushes);
  });
}

/** What a write batch and a transaction both offer. */
interface Writes {
  set(ref: DocumentReference, data: DocumentData): unknown;
  update(ref: DocumentReference, data: UpdateData<DocumentData>): unknown;
}

/** The floor and the transactional floor with `k` tasks per commit (what batching alone
 *  gives, without any of Fresco's other work): the fair baseline for a batching worker. */
async function batchedFloor(transactional: boolean, n: number, concurrency: number, k: number): Promise<number> {
  const ids = await seedBacklog(n, transactional ? "btx" : "bfloor");
  const chunks = Array.from({ length: Math.ceil(n / k) }, (_, i) => ids.slice(i * k, i * k + k));
  return rate(n, () =>
    mapLimit(chunks, concurrency, async (chunk) => {
      const refs = chunk.map((id) => ({
        id,
        source: db().doc(sourcePath("bench", id)),
        mirror: db().doc(mirrorPath(id)),
        task: db().collection(mirrorQueue).doc(`t-${id}`),
      }));
      const write = (sources: DocumentSnapshot[], w: Writes) =>
        refs.forEach((r, i) => {
          w.set(r.mirror, { ...sources[i]!.data(), uid: "bench", historyId: r.id });
          w.update(r.task, { status: "done" });
        });
      if (transactional) {
        await db().runTransaction(async (tx) => {
          const snaps = await tx.getAll(...refs.flatMap((r) => [r.task, r.source]));
          write(
            snaps.filter((_, i) => i % 2 === 1),
            tx,
          );
        });
        return;
      }
      const batch = db().batch();
      write(await db().getAll(...refs.map((r) => r.source)), batch);
      await batch.commit();
    }),
  );
}

async function drain(name: string, options: WorkerOptions, n: number): Promise<number> {
  await seedBacklog(n, name);
  const worker = new MirrorWorker(deps(name), options);
  let run: Promise<void> | undefined;
  const tasksPerSecond = await rate(n, async () => {
    run = worker.run();
    while (worker.processed < n) await new Promise((r) => setTimeout(r, 20));
  });
  worker.stop();
  await run;
  const left = (await db().collection(cacheInvalidations).count().get()).data().count;
  if (left > 0) throw new Error(`${name}: ${left} outbox entries left after the drain`);
  return tasksPerSecond;
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
  return samples;
}

const names: Record<Level, string> = {
  floor: "floor: read source, write mirror + mark done",
  query: "+ the due-task query",
  transaction: "+ one transaction (the transactional floor: read task + source, write mirror + task)",
  reads: "+ the mirror and owner reads in it",
  claim: "+ the owner claim (every item here is published for the first time)",
  outboxWrite: "+ the outbox write in it",
  outboxDelete: `+ the outbox deletes after commit (batches of ${flushBatch})`,
  bumps: `+ the tag bumps in Redis (batches of ${flushBatch})`,
};

/** BENCH_TUNE="64:100:200:1,16:500:1000:8:512" compares worker settings
 *  (lanes:flushBatch:flushEveryMs:tasksPerTransaction[:batchSize])
 *  in one stack, interleaved over BENCH_ROUNDS rounds (the emulator's speed drifts between
 *  runs of the stack, so only settings measured side by side compare); prints the mean. */
async function tune(spec: string): Promise<void> {
  const settings = spec.split(",").map((s) => {
    const [concurrency, flushBatch, flushEveryMs, tasksPerTransaction, batchSize] = s.split(":").map(Number);
    return {
      ...frescoWorkerOptions,
      batchSize: batchSize ?? frescoWorkerOptions.batchSize,
      concurrency: concurrency!,
      flushBatch: flushBatch!,
      flushEveryMs: flushEveryMs!,
      tasksPerTransaction: tasksPerTransaction ?? frescoWorkerOptions.tasksPerTransaction,
    };
  });
  const results = settings.map(() => [] as number[]);
  await drain("warmup", frescoWorkerOptions, backlog);
  for (let round = 0; round < rounds; round++) {
    for (const [i, options] of settings.entries()) results[i]!.push(await drain("fresco", options, backlog));
  }
  for (const [i, s] of settings.entries()) {
    console.log(
      `tune ${s.concurrency} lanes, ${s.tasksPerTransaction} per transaction, ${s.batchSize} fetched ahead, flush ${s.flushBatch}/${s.flushEveryMs} ms: mean ${(results[i]!.reduce((a, b) => a + b, 0) / results[i]!.length).toFixed(1)} tasks/s of ${results[i]!.map((r) => r.toFixed(0)).join(", ")}`,
    );
  }
}

/** Runs every row `rounds` times, in order, after a warm-up drain (the emulator gets much
 *  faster after its first minutes); each row's figure is its best round. */
async function main(): Promise<void> {
  // The trigger path first: the Functions emulator receives an event for every write even
  // while triggers are off, and after the drains' hundreds of thousands of writes it is
  // still working through them, minutes behind.
  const latency = process.env.BENCH_TUNE ? [] : await triggerLatency(latencyWrites);
  await setBackgroundTriggers(false);
  if (process.env.BENCH_TUNE) return tune(process.env.BENCH_TUNE);
  // The per-task rows run 128 in flight, as the worker did before it batched.
  const concurrency = 128;
  const { concurrency: lanes, tasksPerTransaction: k = 1 } = frescoWorkerOptions;
  const oneTaskWorker = { ...frescoWorkerOptions, concurrency, batchSize: 384, tasksPerTransaction: 1 };
  await drain("warmup", frescoWorkerOptions, backlog);
  const best = new Map<string, number>();
  const keep = (name: string, r: number) => {
    console.error(`[bench] ${name}: ${r.toFixed(1)} tasks/s`); // progress, and every round's figure
    best.set(name, Math.max(best.get(name) ?? 0, r));
  };
  for (let round = 0; round < rounds; round++) {
    for (const c of [16, 32, 64, 128]) keep(`floor@${c}`, await variant("floor", backlog, c));
    for (const level of levels.slice(1)) keep(level, await variant(level, backlog, concurrency));
    keep("fresco-single", await drain("fresco", oneTaskWorker, backlog));
    keep("batched-floor", await batchedFloor(false, backlog, lanes, k));
    keep("batched-tx", await batchedFloor(true, backlog, lanes, k));
    keep("fresco", await drain("fresco", frescoWorkerOptions, backlog));
  }
  const seed = await drain("seed", seedWorkerOptions, seedSample);

  const floors = [16, 32, 64, 128].map((c) => [c, best.get(`floor@${c}`)!] as const);
  const [bestAt, bestFloor] = floors.reduce((a, b) => (b[1] > a[1] ? b : a));
  const txFloor = best.get("transaction")!;
  const pct = (x: number, of: number) => `${((x / of) * 100).toFixed(0)}%`;
  const row = (name: string, r: number, tx = true) =>
    console.log(`| ${name} | ${r.toFixed(1)} | ${pct(r, bestFloor)} | ${tx ? pct(r, txFloor) : ""} |`);
  console.log(
    `\nQueue drain, ${backlog} tasks a row, best of ${rounds} rounds after a warm-up (seed: ${seedSample} tasks, once), tasks/s\n`,
  );
  console.log("| configuration | tasks/s | of the best floor | of the transactional floor |\n| --- | ---: | ---: | ---: |");
  for (const [c, r] of floors) row(`${names.floor}, ${c} at a time${c === bestAt ? " (best)" : ""}`, r, false);
  for (const level of levels.slice(1)) row(`${names[level]}, ${concurrency} at a time`, best.get(level)!);
  row(`Fresco's worker, one task per transaction (before batching), ${concurrency} at a time, every guarantee`, best.get("fresco-single")!);
  row(`floor, ${k} tasks per write batch, ${lanes} batches at a time`, best.get("batched-floor")!);
  row(`transactional floor, ${k} tasks per transaction, ${lanes} at a time`, best.get("batched-tx")!);
  row(
    `**Fresco's worker** (pipelined, ${frescoWorkerOptions.batchSize} fetched ahead, ${lanes} transactions of up to ${k} tasks at a time, flush every ${flushBatch} or ${frescoWorkerOptions.flushEveryMs} ms, every guarantee)`,
    best.get("fresco")!,
  );
  row("seed configuration (batch 12, 4 at a time, poll 2.5 s)", seed);
  console.log(`\nTrigger path: source write -> mirror updated, ${latency.length} writes on warm functions (ms)\n`);
  console.log("| p50 | p95 | p99 | max |\n| ---: | ---: | ---: | ---: |");
  console.log(`| ${[50, 95, 99].map((p) => percentile(latency, p).toFixed(0)).join(" | ")} | ${Math.max(...latency).toFixed(0)} |`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
