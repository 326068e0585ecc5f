import { loadCanvasState } from "../../src/canvas/load";
import { FakeClock, hours } from "../helpers/clock";
import { snapshotProject } from "../../src/canvas/snapshot";
import { snapshotDueProjects } from "../../src/canvas/snapshot-job";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import {
  applyOp,
  applyRandomOps,
  heads,
  jobDeps,
  liveElements,
  newProject,
  project,
  randomOp,
  settings,
  snapshotElements,
  stateAt,
} from "./harness";

// loadCanvasProject's answer (snapshot + replayed ops) must equal the live elements, and every
// snapshot must equal the op log replayed up to its opIndex, even while ops keep arriving.
describe("canvas snapshots are consistent", () => {
  // Nothing here needs background triggers; keeping them off makes each clear cheap.
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  /** Applies ops until stopped (at least `min`), as a client editing during a snapshot run. */
  function writer(projectId: string, seed: number, clock: FakeClock, min = 5) {
    const rng = prng(seed);
    let stopped = false;
    let applied = 0;
    const done = (async () => {
      while (!stopped || applied < min) {
        await applyOp(projectId, randomOp(rng), clock.now());
        applied++;
      }
      return applied;
    })();
    return {
      stop: () => {
        stopped = true;
        return done;
      },
    };
  }

  it("load equals the live elements after random op sequences, with ops arriving during snapshot runs", async () => {
    const seed = testSeed("canvas consistency");
    const rng = prng(seed);
    const clock = new FakeClock();
    await newProject("p1", clock);
    await newProject("p2", clock);
    for (let round = 0; round < 5; round++) {
      await applyRandomOps("p1", rng, 40 + rng.int(120), clock);
      await applyRandomOps("p2", rng, rng.int(30), clock);
      if (round % 3 === 2) clock.advance(hours(25)); // now and then the 24-hour rule applies too
      const writers = [writer("p1", seed + 2 * round + 1, clock), writer("p2", seed + 2 * round + 2, clock)];
      const run = await snapshotDueProjects(jobDeps(clock), { dryRun: false }, settings);
      // A load racing the writers is consistent too: it equals the log replayed to its opIndex.
      const racing = (await loadCanvasState(db(), "p1"))!;
      await Promise.all(writers.map((w) => w.stop()));
      expect(run.errors).toEqual([]);
      expect(racing.elements).toEqual(await stateAt("p1", racing.opIndex));
      for (const id of ["p1", "p2"]) {
        const loaded = (await loadCanvasState(db(), id))!;
        expect(loaded.elements).toEqual(await liveElements(id));
        expect(loaded.opIndex).toBe((await project(id)).opIndex);
        expect(loaded.opsReplayed).toBe(loaded.opIndex - loaded.snapshotOpIndex);
      }
    }
    for (const id of ["p1", "p2"]) {
      const complete = (await heads(id)).filter((h) => h.complete);
      expect(complete.length).toBeGreaterThan(0);
      for (const head of complete) expect(await snapshotElements(head)).toEqual(await stateAt(id, head.opIndex));
    }
  });

  it("ops applied between a snapshot's read and its commit stay out of it and are replayed on load", async () => {
    const rng = prng(testSeed("canvas read/commit gap"));
    const clock = new FakeClock();
    await newProject("p", clock);
    await applyRandomOps("p", rng, 120, clock);
    const report = await snapshotProject(jobDeps(clock), "p", { afterRead: () => applyRandomOps("p", rng, 30, clock) });
    expect(report).toMatchObject({ outcome: "snapshotted", opIndex: 120 });
    const [head] = await heads("p");
    expect(head).toMatchObject({ id: "0000000120", opIndex: 120, complete: true });
    expect(await snapshotElements(head!)).toEqual(await stateAt("p", 120));
    const loaded = (await loadCanvasState(db(), "p"))!;
    expect(loaded).toMatchObject({ opIndex: 150, snapshotOpIndex: 120, opsReplayed: 30 });
    expect(loaded.elements).toEqual(await liveElements("p"));
    // The 30 ops that came during the snapshot are pending: due a day after it.
    const after = await project("p");
    expect(after).toMatchObject({ opIndex: 150, lastSnapshotOpIndex: 120 });
    expect(after.snapshotDueAt.toMillis()).toBe(after.lastSnapshotAt.toMillis() + hours(24));
  });

  it("concurrent applyOp calls get dense, distinct indexes and the load still matches", async () => {
    const seed = testSeed("canvas concurrent ops");
    const clock = new FakeClock();
    await newProject("p", clock);
    await Promise.all([0, 1, 2].map((w) => applyRandomOps("p", prng(seed + w), 25, clock)));
    expect((await project("p")).opIndex).toBe(75);
    await snapshotProject(jobDeps(clock), "p");
    await Promise.all([3, 4].map((w) => applyRandomOps("p", prng(seed + w), 10, clock)));
    const loaded = (await loadCanvasState(db(), "p"))!;
    expect(loaded).toMatchObject({ opIndex: 95, snapshotOpIndex: 75, opsReplayed: 20 });
    expect(loaded.elements).toEqual(await liveElements("p"));
    expect(loaded.elements).toEqual(await stateAt("p", 95));
  });
});
