import { HttpsError } from "firebase-functions/https";
import { loadCanvasPage, loadCanvasState } from "../../src/canvas/load";
import { snapshotProject } from "../../src/canvas/snapshot";
import { encodeCursor } from "../../src/shared/cursor";
import { FakeClock } from "../helpers/clock";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import { applyRandomOps, jobDeps, liveElements, seedProject, stateAt, type Rng } from "./harness";

// loadCanvasProject's pages: together they are the project at the first page's opIndex,
// whatever is written between pages, each within its byte budget; cursors are checked.
describe("canvas paged load", () => {
  triggersOffDuringSuite();
  beforeEach(clearFirestore);
  const pageBytes = 100_000; // ~50 elements of ~2 KB: many pages from a small project

  /** 600 elements in a snapshot (two parts), then ops after it. */
  async function project(id: string, rng: Rng, clock: FakeClock, opsAfter = 40): Promise<void> {
    await seedProject(id, 600, rng, 1800, clock.now());
    await snapshotProject(jobDeps(clock), id);
    await applyRandomOps(id, rng, opsAfter, clock);
  }

  async function allPages(projectId: string, between: () => Promise<void> = async () => undefined) {
    const pages = [await loadCanvasPage(db(), "canvas-owner", { projectId }, pageBytes)];
    while (pages.at(-1)!.nextCursor) {
      await between();
      pages.push(await loadCanvasPage(db(), "canvas-owner", { projectId, cursor: pages.at(-1)!.nextCursor! }, pageBytes));
    }
    return pages;
  }

  it("gives every element once, each page within its budget, all at the first page's opIndex", async () => {
    const rng = prng(testSeed("canvas paging"));
    const clock = new FakeClock();
    await project("p", rng, clock);
    const pages = await allPages("p");
    expect(pages.length).toBeGreaterThan(8);
    for (const page of pages.slice(0, -1)) expect(Buffer.byteLength(JSON.stringify(page.elements))).toBeLessThanOrEqual(pageBytes + 100);
    const ids = pages.flatMap((p) => Object.keys(p.elements));
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.assign({}, ...pages.map((p) => p.elements))).toEqual(await liveElements("p"));
    expect(new Set(pages.map((p) => `${p.opIndex}/${p.snapshotOpIndex}`))).toEqual(new Set(["640/600"]));
  });

  it("stays one consistent state while ops and a new snapshot land between pages", async () => {
    const rng = prng(testSeed("canvas paging under writes"));
    const clock = new FakeClock();
    await project("p", rng, clock);
    let n = 0;
    const pages = await allPages("p", async () => {
      await applyRandomOps("p", rng, 5, clock);
      if (++n === 3) await snapshotProject(jobDeps(clock), "p");
    });
    expect(n).toBeGreaterThan(3);
    expect(Object.assign({}, ...pages.map((p) => p.elements))).toEqual(await stateAt("p", 640));
    expect((await loadCanvasState(db(), "p"))!.elements).toEqual(await liveElements("p"));
  });

  it("pages the ops' elements too when the ops after the snapshot alone pass the budget", async () => {
    const rng = prng(testSeed("canvas paging ops"));
    const clock = new FakeClock();
    await seedProject("p", 50, rng, 0, clock.now()); // a small snapshot: the pages are mostly the ops' elements
    await snapshotProject(jobDeps(clock), "p");
    await applyRandomOps("p", rng, 300, clock);
    const loaded = (await loadCanvasState(db(), "p", 2_000))!;
    expect(loaded.pages).toBeGreaterThan(5);
    expect(loaded.elements).toEqual(await liveElements("p"));
  });

  const refusal = async (promise: Promise<unknown>) =>
    (
      (await promise.then(
        () => undefined,
        (e: unknown) => e,
      )) as HttpsError
    )?.code;

  it("refuses a cursor that would replay ops past a newer snapshot (start again), or points past the project", async () => {
    const rng = prng(testSeed("canvas forged cursor"));
    const clock = new FakeClock();
    await project("p", rng, clock);
    const forged = (cursor: object) => refusal(loadCanvasPage(db(), "canvas-owner", { projectId: "p", cursor: encodeCursor(cursor) }));
    expect(await forged({ x: 640, s: 0, c: 0, p: 0, o: 0 })).toBe("failed-precondition"); // skips the snapshot at 600: start again
    expect(await forged({ x: 9999, s: 600, c: 0, p: 0, o: 0 })).toBe("invalid-argument");
    expect(await forged({ x: 640, s: 650, c: 0, p: 0, o: 0 })).toBe("invalid-argument");
    expect(await forged({ x: 640, s: 600, c: 0, p: 0 })).toBe("invalid-argument");
    expect(await refusal(loadCanvasPage(db(), "canvas-owner", { projectId: "p", cursor: "not a cursor!" }))).toBe("invalid-argument");
  });

  it("asks to start over (failed-precondition) when the load's snapshot was pruned between pages", async () => {
    const rng = prng(testSeed("canvas pruned cursor"));
    const clock = new FakeClock();
    await project("p", rng, clock);
    const first = await loadCanvasPage(db(), "canvas-owner", { projectId: "p" }, pageBytes);
    for (let i = 0; i < 5; i++) {
      await applyRandomOps("p", rng, 1, clock);
      await snapshotProject(jobDeps(clock), "p");
    }
    const next = loadCanvasPage(db(), "canvas-owner", { projectId: "p", cursor: first.nextCursor! }, pageBytes);
    expect(await refusal(next)).toBe("failed-precondition");
  });
});
