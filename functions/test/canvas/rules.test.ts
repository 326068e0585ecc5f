import { maintenanceCursors } from "../../src/maintenance/cursors";
import { FakeClock, hours } from "../helpers/clock";
import { snapshotDueProjects } from "../../src/canvas/snapshot-job";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import { applyRandomOps, heads, jobDeps, newProject, project, seedProject, settings } from "./harness";

// When a project is snapshotted: 100 ops since the last snapshot, or a day with at least one
// op; at most `limit` per run, the rest on the next runs through the cursor.
describe("which canvas projects a run snapshots", () => {
  // Nothing here needs background triggers; keeping them off makes each clear cheap.
  triggersOffDuringSuite();
  beforeEach(clearFirestore);
  const run = (clock: FakeClock, limit?: number) => snapshotDueProjects(jobDeps(clock), { dryRun: false, limit }, settings);
  const snapshotted = async (id: string) => (await heads(id)).filter((h) => h.complete).map((h) => h.opIndex);

  it("snapshots at the 100th op since the last snapshot, not before", async () => {
    const rng = prng(testSeed("canvas 100 ops"));
    const clock = new FakeClock();
    await newProject("p", clock);
    await applyRandomOps("p", rng, 99, clock);
    expect((await run(clock)).counts.due).toBe(0);
    await applyRandomOps("p", rng, 1, clock);
    expect((await run(clock)).counts).toMatchObject({ due: 1, snapshotted: 1 });
    expect(await snapshotted("p")).toEqual([100]);
    expect(await project("p")).toMatchObject({ opIndex: 100, lastSnapshotOpIndex: 100, lastSnapshotAt: expect.anything() });
    expect((await project("p")).snapshotDueAt).toBeUndefined();
    // The count starts again from the snapshot.
    await applyRandomOps("p", rng, 99, clock);
    expect((await run(clock)).counts.due).toBe(0);
    await applyRandomOps("p", rng, 1, clock);
    await run(clock);
    expect(await snapshotted("p")).toEqual([100, 200]);
  });

  it("snapshots a day after the last snapshot if at least one op came, and never without ops", async () => {
    const rng = prng(testSeed("canvas 24 hours"));
    const clock = new FakeClock();
    await newProject("quiet", clock);
    await newProject("busy", clock);
    await applyRandomOps("busy", rng, 5, clock);
    clock.advance(hours(24) - 60_000);
    expect((await run(clock)).counts.due).toBe(0);
    clock.advance(60_000);
    expect((await run(clock)).counts).toMatchObject({ due: 1, snapshotted: 1 });
    expect(await snapshotted("busy")).toEqual([5]);
    expect(await snapshotted("quiet")).toEqual([]);
    // Without ops nothing is due, however long it has been.
    clock.advance(hours(30));
    expect((await run(clock)).counts.due).toBe(0);
    // An op more than a day after the last snapshot makes the project due at once.
    await applyRandomOps("busy", rng, 2, clock);
    expect((await run(clock)).counts).toMatchObject({ due: 1, snapshotted: 1 });
    // Otherwise the day counts from lastSnapshotAt.
    clock.advance(hours(1));
    await applyRandomOps("busy", rng, 3, clock);
    clock.advance(hours(23) - 60_000);
    expect((await run(clock)).counts.due).toBe(0);
    clock.advance(60_000);
    await run(clock);
    expect(await snapshotted("busy")).toEqual([5, 7, 10]);
    expect(await snapshotted("quiet")).toEqual([]);
  });

  it("takes at most `limit` projects per run and continues from the cursor on the next runs", async () => {
    const rng = prng(testSeed("canvas cursor"));
    const clock = new FakeClock();
    const ids = Array.from({ length: 7 }, (_, i) => `p${i}`);
    for (const id of ids) await seedProject(id, 100 + rng.int(20), rng, 0, clock.now());
    const runs = [await run(clock, 3), await run(clock, 3), await run(clock, 3)];
    expect(runs.map((r) => r.counts.snapshotted)).toEqual([3, 3, 1]);
    expect(runs[0]!.cursor).toEqual(expect.any(String));
    expect(runs[2]!.cursor).toBeNull();
    expect((await db().collection(maintenanceCursors).doc("snapshotCanvasProjects").get()).get("cursor")).toBeNull();
    for (const id of ids) expect(await snapshotted(id)).toEqual([(await project(id)).opIndex]);
  });

  it("a failing project is counted in errors and neither stops the run nor blocks the next ones", async () => {
    const rng = prng(testSeed("canvas failing project"));
    const clock = new FakeClock();
    for (const id of ["a", "bad", "c"]) await seedProject(id, 100, rng, 0, clock.now());
    const hooks = {
      afterRead: async (id: string) => {
        if (id === "bad") throw new Error("disk on fire");
      },
    };
    const first = await snapshotDueProjects(jobDeps(clock), { dryRun: false, limit: 2 }, settings, hooks);
    const second = await snapshotDueProjects(jobDeps(clock), { dryRun: false, limit: 2 }, settings, hooks);
    expect([...first.errors, ...second.errors]).toEqual([{ id: "bad", error: "Error: disk on fire" }]);
    expect(await snapshotted("a")).toEqual([100]);
    expect(await snapshotted("c")).toEqual([100]);
    expect(await snapshotted("bad")).toEqual([]);
    // Still due: a later run without the fault snapshots it.
    expect((await run(clock)).counts).toMatchObject({ due: 1, snapshotted: 1 });
  });

  it("a dry run lists what would be snapshotted and writes nothing", async () => {
    const rng = prng(testSeed("canvas dry run"));
    const clock = new FakeClock();
    await seedProject("big", 150, rng, 0, clock.now());
    await newProject("small", clock);
    await applyRandomOps("small", rng, 3, clock);
    clock.advance(hours(25));
    const before = await Promise.all(["big", "small"].map(project));
    const result = await snapshotDueProjects(jobDeps(clock), { dryRun: true }, settings);
    expect(result.counts).toEqual({ due: 2 });
    expect(result.planned).toEqual([
      "big: opIndex 150, 150 ops since the last snapshot",
      "small: opIndex 3, 3 ops since the last snapshot",
    ]);
    expect(await Promise.all(["big", "small"].map(project))).toEqual(before);
    expect(await heads("big")).toEqual([]);
    expect(await heads("small")).toEqual([]);
    expect((await db().collection(maintenanceCursors).get()).empty).toBe(true);
  });
});
