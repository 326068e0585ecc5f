import { Timestamp } from "firebase-admin/firestore";
import { FakeClock } from "../helpers/clock";
import { sourceItem } from "../helpers/fixtures";
import { applyTask } from "../../src/mirror/apply";
import { claimTask } from "../../src/mirror/claim";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { processTask } from "../../src/mirror/process";
import { sweepQueue } from "../../src/mirror/sweep";
import { frescoWorkerOptions, MirrorWorker, seedWorkerOptions } from "../../src/mirror/worker";
import { cacheInvalidations } from "../../src/cache/outbox";
import { tags } from "../../src/cache/map";
import { clearFirestore, db, triggersOffDuringSuite, withoutTriggers } from "../helpers/firestore";
import { waitFor } from "../helpers/wait";
import { enqueueFor, failWhen, mirrorMismatch, task, testDeps } from "./harness";
import type { Step } from "../../src/mirror/deps";

/** Publishes ann's items h0..h<n-1> and enqueues a task for each; returns the task ids. */
async function publishAndEnqueue(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    await db()
      .doc(sourcePath("ann", `h${i}`))
      .set(sourceItem("ann", { prompt: `p${i}` }));
    ids.push(await enqueueFor("ann", `h${i}`));
  }
  return ids;
}

// Guarantees 2 and 5 and the processing paths, each on the real Firestore emulator.
describe("mirror queue processing", () => {
  triggersOffDuringSuite();
  beforeEach(clearFirestore);
  const withQuietTriggers = (fn: () => Promise<void>) => () => withoutTriggers(fn);

  it(
    "an old task never replaces newer data: it applies the current source",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await db()
        .doc(sourcePath("ann", "h1"))
        .set(sourceItem("ann", { aestheticScore: 3 }));
      const oldTask = await enqueueFor("ann", "h1", "upsert");
      await db().doc(sourcePath("ann", "h1")).update({ aestheticScore: 9 });
      const newTask = await enqueueFor("ann", "h1");
      expect(await processTask(testDeps(clock, "a"), newTask)).toBe("written");
      expect(await processTask(testDeps(clock, "b"), oldTask)).toBe("unchanged");
      expect((await db().doc(mirrorPath("h1")).get()).get("aestheticScore")).toBe(9);
    }),
  );

  it(
    "a remove never deletes an item whose source is public and live",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
      await processTask(testDeps(clock, "a"), await enqueueFor("ann", "h1", "upsert"));
      expect(await processTask(testDeps(clock, "a"), await enqueueFor("ann", "h1", "remove"))).toBe("unchanged");
      expect((await db().doc(mirrorPath("h1")).get()).exists).toBe(true);
    }),
  );

  it(
    "smart merge keeps optimization fields of media whose URL is unchanged",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      const a = { url: "https://img.test/a.png" };
      const b = { url: "https://img.test/b.png" };
      await db()
        .doc(sourcePath("ann", "h1"))
        .set(sourceItem("ann", { images: [a, b] }));
      await processTask(testDeps(clock, "a"), await enqueueFor("ann", "h1"));
      await db()
        .doc(mirrorPath("h1"))
        .update({
          images: [
            { ...a, thumbnailUrl: "t-a", avifUrl: "v-a" },
            { ...b, thumbnailUrl: "t-b" },
          ],
        });
      const c = { url: "https://img.test/c.png" };
      await db()
        .doc(sourcePath("ann", "h1"))
        .update({ images: [a, c], prompt: "new" });
      await processTask(testDeps(clock, "a"), await enqueueFor("ann", "h1"));
      const mirror = (await db().doc(mirrorPath("h1")).get()).data()!;
      expect(mirror.images).toEqual([{ ...a, thumbnailUrl: "t-a", avifUrl: "v-a" }, c]);
      expect(mirror.prompt).toBe("new");
    }),
  );

  it(
    "a processor whose lease expired cannot finish: the new holder's work stands",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
      const id = await enqueueFor("ann", "h1");
      const slow = testDeps(clock, "slow");
      const claimedBySlow = (await claimTask(slow, id))!;
      clock.advance(61_000);
      expect(await processTask(testDeps(clock, "fast"), id)).toBe("written");
      await expect(applyTask(slow, claimedBySlow)).rejects.toThrow(/no longer leased/);
      expect(await task(id)).toMatchObject({ status: "done", attempts: 2 });
    }),
  );

  it(
    "a failing task is retried with backoff, becomes dead after 5 attempts with lastError, and blocks nothing",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
      await db().doc(sourcePath("ann", "h2")).set(sourceItem("ann"));
      const poison = await enqueueFor("ann", "h1");
      const healthy = await enqueueFor("ann", "h2");
      const failing = failWhen((step, id) => step === "claimed" && id === poison, "store unavailable");
      const seen: string[] = [];
      clock.advance(1000); // the tasks' createdAt (server time) is behind the sweeper's now
      for (let attempt = 1; attempt <= 5; attempt++) {
        const report = await sweepQueue(testDeps(clock, `s${attempt}`, { afterStep: failing }), {
          pendingGraceMs: 0,
          limit: 100,
          concurrency: 4,
        });
        seen.push((await task(poison))!.status);
        expect(report.redriven).toBeGreaterThan(0);
        const t = (await task(poison))!;
        if (t.status === "failed") expect((t.nextAttemptAt as Timestamp).toMillis()).toBeGreaterThan(clock.now());
        clock.advance(10 * 60_000);
      }
      expect(seen).toEqual(["failed", "failed", "failed", "failed", "dead"]);
      expect(await task(poison)).toMatchObject({ status: "dead", attempts: 5, lastError: expect.stringMatching(/store unavailable/) });
      expect(await task(healthy)).toMatchObject({ status: "done" });
      expect(await mirrorMismatch("ann", "h2")).toBeUndefined();
      await sweepQueue(testDeps(clock, "later"), { pendingGraceMs: 0, limit: 100, concurrency: 4 });
      expect(await task(poison)).toMatchObject({ status: "dead", attempts: 5 });
      expect((await task(poison))!.expireAt).toBeUndefined(); // dead stays until retried or dropped
    }),
  );

  it(
    "a malformed task is dead at once with a clear lastError and touches no mirror",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await db().doc(mirrorPath("h1")).set({ uid: "ann", prompt: "keep me" });
      // An expiry it carried (say, written by another tool) is removed: a dead task never expires.
      const expireAt = Timestamp.fromMillis(clock.now() + 60_000);
      await db()
        .collection(mirrorQueue)
        .doc("bad")
        .set({ op: "explode", uid: "ann", historyId: "h1", status: "pending", attempts: 0, expireAt });
      expect(await processTask(testDeps(clock, "a"), "bad")).toBe("skipped");
      expect(await task("bad")).toMatchObject({ status: "dead", lastError: expect.stringMatching(/malformed task: op/) });
      expect((await task("bad"))!.expireAt).toBeUndefined();
      expect((await db().doc(mirrorPath("h1")).get()).data()).toEqual({ uid: "ann", prompt: "keep me" });
    }),
  );

  it(
    "an invalid source removes the public mirror and leaves a dead task saying why",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
      await processTask(testDeps(clock, "a"), await enqueueFor("ann", "h1"));
      await db().doc(sourcePath("ann", "h1")).update({ model: 42 });
      const id = await enqueueFor("ann", "h1");
      expect(await processTask(testDeps(clock, "a"), id)).toBe("invalid");
      expect((await db().doc(mirrorPath("h1")).get()).exists).toBe(false);
      expect(await task(id)).toMatchObject({ status: "dead", lastError: expect.stringMatching(/model/) });
      expect((await task(id))!.expireAt).toBeUndefined(); // only a done task gets the TTL's field
    }),
  );

  it(
    "two workers on one queue process every task exactly once",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      const applied = new Map<string, number>();
      const count = (_s: string, id: string) => void applied.set(id, (applied.get(id) ?? 0) + 1);
      const ids = await publishAndEnqueue(60);
      const options = { ...seedWorkerOptions, pollMs: 10, maxIdleMs: 20, batchSize: 7, concurrency: 3 };
      const workers = ["w1", "w2"].map(
        (w) => new MirrorWorker(testDeps(clock, w, { afterStep: (s, id) => s === "applied" && count(s, id) }), options),
      );
      const runs = workers.map((w) => w.run());
      await waitFor(async () => (await db().collection(mirrorQueue).where("status", "==", "done").count().get()).data().count === 60, {
        timeoutMs: 60_000,
        what: "60 done tasks",
      });
      workers.forEach((w) => w.stop());
      await Promise.all(runs);
      expect(ids.map((id) => applied.get(id))).toEqual(ids.map(() => 1));
      expect(workers.every((w) => w.processed > 0)).toBe(true);
    }),
  );

  it(
    "pipelined workers taking several tasks per transaction: each task once, a bad task fails alone, every tag flushed",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      const applied = new Map<string, number>();
      const ids = await publishAndEnqueue(40);
      // A second task for some items: they must never share a transaction with the first.
      for (let i = 0; i < 10; i++) ids.push(await enqueueFor("ann", `h${i}`));
      const poison = ids[17]!;
      const bumped: string[] = [];
      const hook = (step: Step, id: string) => {
        failWhen((s, t) => s === "claimed" && t === poison, "store unavailable")(step, id);
        if (step === "applied") applied.set(id, (applied.get(id) ?? 0) + 1);
      };
      const options = {
        ...frescoWorkerOptions,
        pollMs: 10,
        maxIdleMs: 50,
        batchSize: 16,
        concurrency: 3,
        tasksPerTransaction: 4,
        flushBatch: 5,
        flushEveryMs: 50,
      };
      const workers = ["w1", "w2"].map(
        (w) => new MirrorWorker(testDeps(clock, w, { afterStep: hook, invalidate: async (tags) => void bumped.push(...tags) }), options),
      );
      const runs = workers.map((w) => w.run());
      const done = async () => (await db().collection(mirrorQueue).where("status", "==", "done").count().get()).data().count;
      await waitFor(async () => (await done()) === ids.length - 1, { timeoutMs: 60_000, what: `${ids.length - 1} done tasks` });
      workers.forEach((w) => w.stop());
      await Promise.all(runs);
      expect(await task(poison)).toMatchObject({ status: "failed", attempts: 1, lastError: expect.stringMatching(/store unavailable/) });
      expect(ids.filter((id) => id !== poison).map((id) => applied.get(id))).toEqual(ids.slice(1).map(() => 1));
      expect(applied.get(poison)).toBeUndefined();
      for (let i = 0; i < 40; i++) {
        if (i !== 17) expect(await mirrorMismatch("ann", `h${i}`)).toBeUndefined();
      }
      expect(bumped).toContain(tags.generation("h0"));
      expect((await db().collection(cacheInvalidations).count().get()).data().count).toBe(0);
    }),
  );

  it(
    "stop() lets the current batch finish: nothing is left processing",
    withQuietTriggers(async () => {
      const clock = new FakeClock();
      await publishAndEnqueue(30);
      const holder: { worker?: MirrorWorker } = {};
      const deps = testDeps(clock, "w", { afterStep: (step) => void (step === "applied" && holder.worker?.stop()) });
      const worker = new MirrorWorker(deps, { ...seedWorkerOptions, batchSize: 12, concurrency: 4 });
      holder.worker = worker;
      await worker.run();
      const byStatus = async (s: string) => (await db().collection(mirrorQueue).where("status", "==", s).count().get()).data().count;
      expect(await byStatus("processing")).toBe(0);
      expect(await byStatus("done")).toBe(12);
      expect(await byStatus("pending")).toBe(18);
    }),
  );
});
