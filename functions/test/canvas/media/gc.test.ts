import { FieldValue, Timestamp } from "firebase-admin/firestore";
import type { JobDeps } from "../../../src/maintenance/job";
import { loadPosition, positionCursor } from "../../../src/maintenance/cursors";
import { maintenanceRuns, runJob } from "../../../src/maintenance/run";
import { mediaGcJob, type GcSettings } from "../../../src/canvas/media/gc";
import { canvasMedia } from "../../../src/canvas/media/model";
import { s3MediaStore, type MediaStore } from "../../../src/canvas/media/store";
import { FakeClock } from "../../helpers/clock";
import { clearFirestore, db, triggersOffDuringSuite } from "../../helpers/firestore";
import { mediaRef, objectExists, pathOf, recordOf, seedMedia, startS3, wrapStore, type S3Server } from "./harness";

// collectCanvasMedia against the Firestore emulator and a real S3 protocol server (s3rver).
describe("canvas media garbage collection", () => {
  triggersOffDuringSuite();
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(() => s3.stop());
  beforeEach(clearFirestore);

  const now = Date.now();
  const deps: JobDeps = { db: db(), now: () => now };
  const gc = (store: MediaStore = s3.store, more: Partial<GcSettings> = {}) => mediaGcJob(store, { ttlDays: 30, batchSize: 100, ...more });
  const collect = (store?: MediaStore, more?: Partial<GcSettings>, limit?: number) => gc(store, more).run(deps, { dryRun: false, limit });
  /** A run at the clock's time (for claims that must outlive, then pass, their TTL). */
  const collectAt = (clock: FakeClock, store: MediaStore = s3.store) => gc(store).run({ db: db(), now: clock.now }, { dryRun: false });
  const claimTtlMs = 10 * 60_000; // GcSettings.claimTtlMs's default
  const remainingIds = async () => (await db().collection(canvasMedia).get()).docs.map((d) => d.id).sort();
  const zero = { deleted: 0, alreadyGone: 0, skipped: 0, errors: 0, bytesFreed: 0 };

  it("deletes unreferenced media past the TTL, object and record, and keeps referenced or young media", async () => {
    await seedMedia(s3, "old1", now, { sizeBytes: 1000 });
    await seedMedia(s3, "old2", now, { sizeBytes: 2500, ageDays: 31 });
    await seedMedia(s3, "used", now, { referencedByCount: 2, ageDays: 400 });
    await seedMedia(s3, "young", now, { ageDays: 29 });
    const summary = await runJob(deps, gc(), { dryRun: false });
    expect(summary.counts).toEqual({ ...zero, deleted: 2, bytesFreed: 3500 });
    expect(summary.errors).toEqual([]);
    for (const id of ["old1", "old2"]) {
      expect(await recordOf(id)).toBeUndefined();
      expect(await objectExists(s3, id)).toBe(false);
    }
    for (const id of ["used", "young"]) {
      expect(await recordOf(id)).toEqual(expect.not.objectContaining({ deletingAt: expect.anything() }));
      expect(await objectExists(s3, id)).toBe(true);
    }
    expect((await db().collection(maintenanceRuns).doc(summary.runId).get()).data()).toMatchObject({
      job: "collectCanvasMedia",
      status: "finished",
    });
  });

  it("a dry run lists the candidates and deletes nothing", async () => {
    await seedMedia(s3, "old1", now, { sizeBytes: 1000 });
    await seedMedia(s3, "used", now, { referencedByCount: 1 });
    const { store, calls, deletes } = wrapStore(s3.store);
    const summary = await runJob(deps, gc(store), { dryRun: true });
    expect(summary.planned).toEqual([`old1: ${pathOf("old1")} (1000 bytes)`]);
    expect(summary.counts).toMatchObject({ ...zero, planned: 1, plannedBytes: 1000 });
    expect(calls.size).toBe(0);
    expect(deletes.size).toBe(0);
    expect(await remainingIds()).toEqual(["old1", "used"]);
    expect(await recordOf("old1")).not.toHaveProperty("deletingAt");
    expect(await objectExists(s3, "old1")).toBe(true);
    expect(await loadPosition(deps, "collectCanvasMedia")).toBeNull();
  });

  it("media referenced after its claim (the one unavoidable race) keeps its record, unclaimed, and counts as an error", async () => {
    await seedMedia(s3, "a", now);
    await seedMedia(s3, "b", now);
    // Between step 1 (claim) and step 3 (record delete), while its DELETE is in flight: a project
    // takes "a" without checking deletingAt.
    const { store, deletes } = wrapStore(s3.store, undefined, async (path) => {
      if (path === pathOf("a")) await mediaRef("a").update({ referencedByCount: FieldValue.increment(1) });
      await s3.store.delete(path);
    });
    const result = await collect(store);
    expect(deletes.get(pathOf("a"))).toBe(1);
    expect(await objectExists(s3, "a")).toBe(false); // what no order can prevent: the object is gone
    expect(result.counts).toMatchObject({ deleted: 1, errors: 1 });
    expect(result.errors).toEqual([{ id: "a", error: expect.stringMatching(/referenced while being deleted/) }]);
    const a = await recordOf("a");
    expect(a).toMatchObject({ referencedByCount: 1 });
    expect(a).not.toHaveProperty("deletingAt");
    expect(a).not.toHaveProperty("deletingBy");
    expect(await recordOf("b")).toBeUndefined();
  });

  it("media referenced between the query and its claim is skipped, object and record untouched", async () => {
    await seedMedia(s3, "first", now, { ageDays: 50 });
    await seedMedia(s3, "second", now, { ageDays: 40 });
    // One at a time, oldest first: while "first" is deleted, a project takes "second".
    const { store, calls, deletes } = wrapStore(s3.store, undefined, async (path) => {
      if (path === pathOf("first")) await mediaRef("second").update({ referencedByCount: FieldValue.increment(1) });
      await s3.store.delete(path);
    });
    const result = await collect(store, { concurrency: 1 });
    expect(result.counts).toEqual({ ...zero, deleted: 1, skipped: 1, bytesFreed: 1005 });
    expect(calls.has(pathOf("second"))).toBe(false);
    expect(deletes.has(pathOf("second"))).toBe(false);
    expect(await recordOf("second")).toMatchObject({ referencedByCount: 1 });
    expect(await objectExists(s3, "second")).toBe(true);
  });

  it("media whose object is already gone loses its record and counts as alreadyGone", async () => {
    await seedMedia(s3, "gone", now, { object: false, sizeBytes: 5000 });
    await seedMedia(s3, "here", now, { sizeBytes: 700 });
    const result = await collect();
    expect(result.counts).toEqual({ ...zero, deleted: 1, alreadyGone: 1, bytesFreed: 700 });
    expect(await remainingIds()).toEqual([]);
  });

  it("a HEAD that fails before any DELETE gives the claim back: that record waits, unclaimed, for the next run; the others go on", async () => {
    for (const id of ["a", "b", "c"]) await seedMedia(s3, id, now);
    const { store, deletes } = wrapStore(s3.store, (path) => {
      if (path === pathOf("b")) throw new Error("503 SlowDown");
    });
    const result = await collect(store);
    expect(result.counts).toMatchObject({ deleted: 2, errors: 1 });
    expect(result.errors).toEqual([{ id: "b", error: expect.stringMatching(/^storage: Error: 503 SlowDown/) }]);
    expect(deletes.has(pathOf("b"))).toBe(false);
    expect(await remainingIds()).toEqual(["b"]);
    expect(await recordOf("b")).not.toHaveProperty("deletingAt");
    expect(await recordOf("b")).not.toHaveProperty("deletingBy");
    expect(await objectExists(s3, "b")).toBe(true);
    expect((await collect()).counts).toMatchObject({ deleted: 1, errors: 0 });
    expect(await remainingIds()).toEqual([]);
  });

  it("a store that goes down mid-run fails the remaining items, each kept and unclaimed", async () => {
    const down = await startS3({ maxAttempts: 1 });
    try {
      for (const [i, id] of ["a", "b", "c", "d"].entries()) await seedMedia(down, id, now, { ageDays: 50 - i });
      // HEADs 1-4 are a's and b's (before and after their DELETE); the store is gone before c's first.
      const { store, deletes } = wrapStore(down.store, async (_path, call) => {
        if (call === 5) await down.closeServer();
      });
      const result = await collect(store, { concurrency: 1 });
      expect(result.counts).toMatchObject({ deleted: 2, errors: 2 });
      expect(result.errors.map((e) => e.error)).toEqual([expect.stringMatching(/^storage: /), expect.stringMatching(/^storage: /)]);
      expect(await remainingIds()).toEqual(["c", "d"]);
      expect([...deletes.keys()]).toEqual([pathOf("a"), pathOf("b")]);
      for (const id of ["c", "d"]) expect(await recordOf(id)).not.toHaveProperty("deletingAt");
    } finally {
      await down.stop();
    }
  });

  describe("once a DELETE was sent, only a HEAD that finds the object gone ends the claim", () => {
    /** The record still claimed by a run of this test, as that run left it. */
    const expectClaimed = async (id: string, at: number) =>
      expect(await recordOf(id)).toMatchObject({ deletingAt: Timestamp.fromMillis(at), deletingBy: expect.any(String) });

    it("a DELETE that fails after the store really deleted the object keeps the claim; after the claim TTL, HEAD confirms and the record goes", async () => {
      const clock = new FakeClock(now);
      await seedMedia(s3, "uncertain", now, { sizeBytes: 1234 });
      await seedMedia(s3, "fine", now);
      // The store deletes, then the answer is lost (a timeout, a reset connection).
      const { store, deletes } = wrapStore(s3.store, undefined, async (path) => {
        await s3.store.delete(path);
        if (path === pathOf("uncertain")) throw new Error("socket hang up");
      });
      const first = await collectAt(clock, store);
      expect(first.counts).toEqual({ ...zero, deleted: 1, errors: 1, bytesFreed: 1000 + "fine".length });
      expect(first.errors).toEqual([{ id: "uncertain", error: expect.stringMatching(/^storage \(claim kept\): .*socket hang up/) }]);
      expect(deletes.get(pathOf("uncertain"))).toBe(1);
      expect(await objectExists(s3, "uncertain")).toBe(false);
      await expectClaimed("uncertain", now); // not released: a project must not take a reference to it now

      // While the claim is live, other runs leave it alone (no HEAD, no DELETE).
      clock.advance(claimTtlMs - 1_000);
      const during = wrapStore(s3.store);
      expect((await collectAt(clock, during.store)).counts).toEqual({ ...zero, skipped: 1 });
      expect(during.calls.size + during.deletes.size).toBe(0);
      await expectClaimed("uncertain", now);

      // Once it expired, the next run asks HEAD: gone, so the record goes, with no second DELETE.
      clock.advance(2_000);
      const after = wrapStore(s3.store);
      expect((await collectAt(clock, after.store)).counts).toEqual({ ...zero, alreadyGone: 1 });
      expect(after.calls.get(pathOf("uncertain"))).toBe(1);
      expect(after.deletes.size).toBe(0);
      expect(await remainingIds()).toEqual([]);
    });

    it("a DELETE that fails without deleting keeps the claim and the object; after the claim TTL the next run deletes both", async () => {
      const clock = new FakeClock(now);
      await seedMedia(s3, "refused", now, { sizeBytes: 800 });
      const { store, deletes } = wrapStore(s3.store, undefined, async () => {
        throw new Error("500 InternalError");
      });
      const first = await collectAt(clock, store);
      expect(first.counts).toEqual({ ...zero, errors: 1 });
      expect(first.errors).toEqual([{ id: "refused", error: expect.stringMatching(/^storage \(claim kept\): .*500 InternalError/) }]);
      expect(deletes.get(pathOf("refused"))).toBe(1);
      expect(await objectExists(s3, "refused")).toBe(true);
      await expectClaimed("refused", now);

      clock.advance(claimTtlMs + 1_000);
      expect((await collectAt(clock)).counts).toEqual({ ...zero, deleted: 1, bytesFreed: 800 });
      expect(await objectExists(s3, "refused")).toBe(false);
      expect(await remainingIds()).toEqual([]);
    });

    it("an object still there after a DELETE the store acknowledged keeps the claim", async () => {
      const clock = new FakeClock(now);
      await seedMedia(s3, "sticky", now);
      // A store that answers 204 and keeps the object (a replica behind, a versioned bucket).
      const { store, deletes, calls } = wrapStore(s3.store, undefined, async () => undefined);
      const result = await collectAt(clock, store);
      expect(result.counts).toEqual({ ...zero, errors: 1 });
      expect(result.errors).toEqual([{ id: "sticky", error: expect.stringMatching(/claim kept.*still there after DELETE/) }]);
      expect(deletes.get(pathOf("sticky"))).toBe(1);
      expect(calls.get(pathOf("sticky"))).toBe(2); // HEAD, DELETE, HEAD
      expect(await objectExists(s3, "sticky")).toBe(true);
      await expectClaimed("sticky", now);
    });

    it("a HEAD that fails after the DELETE keeps the claim; the next run after the TTL confirms the object gone", async () => {
      const clock = new FakeClock(now);
      await seedMedia(s3, "unconfirmed", now);
      const { store, deletes } = wrapStore(s3.store, (path, call) => {
        if (path === pathOf("unconfirmed") && call === 2) throw new Error("503 SlowDown");
      });
      const result = await collectAt(clock, store);
      expect(result.counts).toEqual({ ...zero, errors: 1 });
      expect(result.errors).toEqual([{ id: "unconfirmed", error: expect.stringMatching(/^storage \(claim kept\): .*503 SlowDown/) }]);
      expect(deletes.get(pathOf("unconfirmed"))).toBe(1);
      expect(await objectExists(s3, "unconfirmed")).toBe(false);
      await expectClaimed("unconfirmed", now);

      clock.advance(claimTtlMs + 1_000);
      expect((await collectAt(clock)).counts).toEqual({ ...zero, alreadyGone: 1 });
      expect(await remainingIds()).toEqual([]);
    });
  });

  it("a bucket that does not exist deletes nothing (a 404 on HEAD must not read as 'object gone')", async () => {
    await seedMedia(s3, "a", now);
    await seedMedia(s3, "b", now);
    const result = await collect(s3MediaStore(s3.client, "no-such-bucket"));
    expect(result.counts).toMatchObject({ deleted: 0, alreadyGone: 0, errors: 2 });
    expect(result.errors[0]!.error).toMatch(/media bucket no-such-bucket is not reachable/);
    expect(await remainingIds()).toEqual(["a", "b"]);
  });

  it("a malformed record is left alone and reported", async () => {
    await seedMedia(s3, "bad", now, { extra: { storagePath: "" } });
    const result = await collect();
    expect(result.counts).toMatchObject({ errors: 1, deleted: 0 });
    expect(result.errors).toEqual([{ id: "bad", error: expect.stringMatching(/malformed record: storagePath/) }]);
    expect(await recordOf("bad")).not.toHaveProperty("deletingAt");
  });

  it("is idempotent: a second run finds nothing and leaves the same state", async () => {
    for (const id of ["a", "b", "c"]) await seedMedia(s3, id, now);
    await seedMedia(s3, "used", now, { referencedByCount: 1 });
    await seedMedia(s3, "young", now, { ageDays: 1 });
    expect((await collect()).counts).toMatchObject({ deleted: 3 });
    const after = await remainingIds();
    const { store, calls, deletes } = wrapStore(s3.store);
    expect((await collect(store)).counts).toEqual(zero);
    expect(calls.size).toBe(0);
    expect(deletes.size).toBe(0);
    expect(await remainingIds()).toEqual(after);
    expect(after).toEqual(["used", "young"]);
  });

  it("two runs at once delete each media exactly once", async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, "0")}`);
    await Promise.all(ids.map((id) => seedMedia(s3, id, now)));
    await seedMedia(s3, "used", now, { referencedByCount: 3 });
    const { store, calls, deletes } = wrapStore(s3.store);
    const [r1, r2] = await Promise.all([collect(store, { concurrency: 8 }), collect(store, { concurrency: 8 })]);
    expect(r1.counts.deleted! + r2.counts.deleted!).toBe(40);
    expect(r1.counts.errors! + r2.counts.errors!).toBe(0);
    // Only the run holding the claim touches the object: one DELETE, a HEAD before and after it.
    expect(ids.map((id) => deletes.get(pathOf(id)))).toEqual(ids.map(() => 1));
    expect(ids.map((id) => calls.get(pathOf(id)))).toEqual(ids.map(() => 2));
    expect(await remainingIds()).toEqual(["used"]);
  });

  it("a claim left by a crashed run is retaken once expired; a live claim is not", async () => {
    const claim = (agoMs: number, by: string) => ({ extra: { deletingAt: Timestamp.fromMillis(now - agoMs), deletingBy: by } });
    await seedMedia(s3, "stale", now, claim(11 * 60_000, "crashed-run"));
    await seedMedia(s3, "live", now, claim(60_000, "live-run"));
    const result = await collect();
    expect(result.counts).toMatchObject({ deleted: 1, skipped: 1, errors: 0 });
    expect(await remainingIds()).toEqual(["live"]);
    expect(await recordOf("live")).toMatchObject({ deletingBy: "live-run" });
    expect(await objectExists(s3, "live")).toBe(true);
  });

  it("takes a batch per run and continues from its cursor; at the end it starts over", async () => {
    for (let i = 1; i <= 5; i++) await seedMedia(s3, `m${i}`, now, { ageDays: 60 - i });
    await seedMedia(s3, "used", now, { ageDays: 58.5, referencedByCount: 1 });
    // m1 (the oldest) fails every time: without the cursor each run would start on it again.
    const { store } = wrapStore(s3.store, (path) => {
      if (path === pathOf("m1")) throw new Error("stuck");
    });
    const first = await collect(store, { batchSize: 2 });
    expect(first.counts).toMatchObject({ deleted: 1, errors: 1 });
    expect((await loadPosition(deps, "collectCanvasMedia"))?.id).toBe("m2");
    expect(positionCursor(await loadPosition(deps, "collectCanvasMedia"))).toBe(first.cursor);
    expect((await collect(store, {}, 2)).counts).toMatchObject({ deleted: 2, errors: 0 });
    expect(await remainingIds()).toEqual(["m1", "m5", "used"]);
    const third = await collect(store, {}, 2);
    expect(third.counts).toMatchObject({ deleted: 1 });
    expect(third.cursor).toBeNull();
    expect((await collect(s3.store, {}, 2)).counts).toMatchObject({ deleted: 1, errors: 0 });
    expect(await remainingIds()).toEqual(["used"]);
  });

  it("an unset TTL param reads as its default (30 days), never as 0; a TTL below 1 day refuses to run", async () => {
    const saved = process.env.CANVAS_MEDIA_TTL_DAYS;
    delete process.env.CANVAS_MEDIA_TTL_DAYS;
    try {
      await seedMedia(s3, "a", now, { ageDays: 29 });
      await seedMedia(s3, "b", now, { ageDays: 31 });
      expect((await runJob(deps, mediaGcJob(s3.store, { batchSize: 10 }), { dryRun: false })).counts).toMatchObject({ deleted: 1 });
      expect(await remainingIds()).toEqual(["a"]);
      await expect(runJob(deps, mediaGcJob(s3.store, { ttlDays: 0 }), { dryRun: false })).rejects.toThrow(
        /CANVAS_MEDIA_TTL_DAYS must be at least 1/,
      );
      expect(await remainingIds()).toEqual(["a"]);
      const runs = await db().collection(maintenanceRuns).where("job", "==", "collectCanvasMedia").get();
      expect(runs.docs.map((d) => d.get("status")).sort()).toEqual(["failed", "finished"]);
    } finally {
      if (saved !== undefined) process.env.CANVAS_MEDIA_TTL_DAYS = saved;
    }
  });
});
