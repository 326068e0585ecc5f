import type { DocumentReference } from "firebase-admin/firestore";
import { FakeClock } from "../helpers/clock";
import { loadCanvasState } from "../../src/canvas/load";
import { snapshotProject } from "../../src/canvas/snapshot";
import { snapshotDueProjects } from "../../src/canvas/snapshot-job";
import { storageSize } from "../../src/canvas/size";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import {
  applyOp,
  applyRandomOps,
  heads,
  jobDeps,
  liveElements,
  project,
  randomOp,
  seedProject,
  settings,
  snapshotElements,
  type Rng,
} from "./harness";

// Large snapshots in parts, and the job run twice, at once, after a crash, or pruning.
describe("canvas snapshot storage and safety", () => {
  // Nothing here needs background triggers; keeping them off makes each clear cheap.
  triggersOffDuringSuite();
  beforeEach(clearFirestore);
  // Snapshots over 1 MiB (two parts) with few documents to seed: 600 elements of ~2 KB.
  const seedLarge = (id: string, rng: Rng, clock: FakeClock) => seedProject(id, 600, rng, 1800, clock.now());
  const run = (clock: FakeClock) => snapshotDueProjects(jobDeps(clock), { dryRun: false }, settings);
  const partIds = async (head: { ref: DocumentReference }) => (await head.ref.collection("parts").listDocuments()).map((r) => r.id);

  it("splits a snapshot over 1 MiB into parts under the limit, and loads it back", async () => {
    const rng = prng(testSeed("canvas parts"));
    const clock = new FakeClock();
    await seedProject("big", 3000, rng, 300, clock.now()); // ~3000 elements of ~500 bytes
    await applyRandomOps("big", rng, 10, clock);
    expect((await run(clock)).counts).toMatchObject({ snapshotted: 1 });
    const live = await liveElements("big");
    const [head] = await heads("big");
    expect(head).toMatchObject({ opIndex: 3010, complete: true, elementCount: Object.keys(live).length });
    expect(head!.partCount).toBeGreaterThanOrEqual(2);
    expect((await head!.ref.get()).get("elements")).toBeUndefined();
    const parts = await head!.ref.collection("parts").get();
    expect(parts.size).toBe(head!.partCount);
    for (const part of parts.docs) expect(storageSize(part.data())).toBeLessThan(1_000_000);
    expect(await snapshotElements(head!)).toEqual(live);

    for (let i = 0; i < 15; i++) await applyOp("big", randomOp(rng), clock.now());
    const loaded = (await loadCanvasState(db(), "big"))!;
    expect(loaded).toMatchObject({ opIndex: 3025, snapshotOpIndex: 3010, opsReplayed: 15 });
    expect(loaded.elements).toEqual(await liveElements("big"));
  });

  it("running twice gives the same result: one snapshot, untouched by the second run", async () => {
    const rng = prng(testSeed("canvas idempotent"));
    const clock = new FakeClock();
    await seedLarge("p", rng, clock);
    expect((await run(clock)).counts).toMatchObject({ due: 1, snapshotted: 1 });
    const first = await heads("p");
    const updateTimes = async () => (await db().getAll(...first.map((h) => h.ref))).map((d) => d.updateTime!.toMillis());
    const before = await updateTimes();
    expect((await run(clock)).counts).toMatchObject({ due: 0 });
    expect(await snapshotProject(jobDeps(clock), "p")).toMatchObject({ outcome: "upToDate" });
    expect(await heads("p")).toEqual(first);
    expect(await updateTimes()).toEqual(before);
  });

  it("two runs at once write one snapshot per project, with ops arriving meanwhile", async () => {
    const rng = prng(testSeed("canvas concurrent runs"));
    const clock = new FakeClock();
    const ids = ["a", "b", "c", "d"];
    for (const id of ids) await seedProject(id, 100 + rng.int(50), rng, id === "a" ? 400 : 0, clock.now());
    await seedLarge("huge", rng, clock);
    const [r1, r2] = await Promise.all([run(clock), run(clock), applyRandomOps("b", rng, 20, clock)]);
    expect([...r1!.errors, ...r2!.errors]).toEqual([]);
    expect(r1!.counts.snapshotted! + r2!.counts.snapshotted!).toBeGreaterThanOrEqual(5);
    for (const id of [...ids, "huge"]) {
      const all = await heads(id);
      // One per opIndex. Only "b" changes during the runs, so only it may get a second,
      // later one (a run that read it after the ops); a loser at an older opIndex is dropped.
      if (id !== "b") expect(all).toHaveLength(1);
      expect(new Set(all.map((h) => h.opIndex)).size).toBe(all.length);
      expect(all.every((h) => h.complete)).toBe(true);
      const loaded = (await loadCanvasState(db(), id))!;
      expect(loaded.elements).toEqual(await liveElements(id));
    }
  });

  it("a crash after the parts leaves an incomplete snapshot that loads ignore and the next run completes", async () => {
    const rng = prng(testSeed("canvas crash"));
    const clock = new FakeClock();
    await seedLarge("p", rng, clock);
    const crash = {
      afterParts: async () => {
        throw new Error("instance killed");
      },
    };
    const crashed = await snapshotDueProjects(jobDeps(clock), { dryRun: false }, settings, crash);
    expect(crashed.errors).toEqual([{ id: "p", error: "Error: instance killed" }]);
    const [incomplete] = await heads("p");
    expect(incomplete).toMatchObject({ opIndex: 600, complete: false });
    expect((await partIds(incomplete!)).length).toBe(incomplete!.partCount);
    const loaded = (await loadCanvasState(db(), "p"))!;
    expect(loaded).toMatchObject({ snapshotOpIndex: 0, opsReplayed: 600 });
    expect(loaded.elements).toEqual(await liveElements("p"));

    expect((await run(clock)).counts).toMatchObject({ snapshotted: 1 });
    const [head] = await heads("p");
    expect(head).toMatchObject({ opIndex: 600, complete: true });
    expect(await snapshotElements(head!)).toEqual(await liveElements("p"));
    expect((await loadCanvasState(db(), "p"))!).toMatchObject({ snapshotOpIndex: 600, opsReplayed: 0 });
  });

  it("a crash followed by new ops: the next run writes a newer snapshot and deletes the incomplete one with its parts", async () => {
    const rng = prng(testSeed("canvas crash then ops"));
    const clock = new FakeClock();
    await seedLarge("p", rng, clock);
    await snapshotDueProjects(jobDeps(clock), { dryRun: false }, settings, {
      afterParts: async () => {
        throw new Error("killed");
      },
    });
    const [stale] = await heads("p");
    await applyRandomOps("p", rng, 100, clock);
    expect((await run(clock)).counts).toMatchObject({ snapshotted: 1, pruned: 1 });
    expect((await heads("p")).map((h) => [h.opIndex, h.complete])).toEqual([[700, true]]);
    expect(await partIds(stale!)).toEqual([]);
    expect((await loadCanvasState(db(), "p"))!.elements).toEqual(await liveElements("p"));
  });

  it("keeps the newest 5 snapshots and deletes older ones with their parts", async () => {
    const rng = prng(testSeed("canvas prune"));
    const clock = new FakeClock();
    await seedLarge("p", rng, clock);
    const taken: number[] = [];
    for (let i = 0; i < 8; i++) {
      await applyRandomOps("p", rng, 2, clock);
      taken.push((await snapshotProject(jobDeps(clock), "p")).opIndex);
    }
    const kept = await heads("p");
    expect(kept.map((h) => h.opIndex)).toEqual(taken.slice(-5));
    expect(kept.every((h) => h.partCount >= 2)).toBe(true);
    const snapshotRefs = await db().collection("canvasProjects/p/snapshots").listDocuments();
    expect(snapshotRefs.map((r) => r.id).sort()).toEqual(kept.map((h) => h.id)); // no part left under a deleted head
    expect((await project("p")).lastSnapshotOpIndex).toBe(taken[7]);
    expect((await loadCanvasState(db(), "p"))!.elements).toEqual(await liveElements("p"));
  });
});
