import { snapshotProject } from "../../src/canvas/snapshot";
import { FakeClock } from "../helpers/clock";
import { callCallable, createUser, idTokenFor } from "../helpers/auth";
import { clearFirestore, triggersOffDuringSuite } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import { functionUrl } from "../helpers/emulators";
import { applyRandomOps, jobDeps, liveElements, newProject, owner, seedProject } from "./harness";

// loadCanvasProject called as the app does: HTTP with an Auth-emulator ID token.
describe("loadCanvasProject callable", () => {
  let ownerToken: string;
  let otherToken: string;
  beforeAll(async () => {
    ownerToken = await idTokenFor(await createUser(owner));
    otherToken = await idTokenFor(await createUser("canvas-other"));
  });
  // Nothing here needs background triggers; keeping them off makes each clear cheap.
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  async function projectWithHistory(id: string): Promise<void> {
    const rng = prng(testSeed(`canvas callable ${id}`));
    const clock = new FakeClock();
    await newProject(id, clock);
    await applyRandomOps(id, rng, 40, clock);
    await snapshotProject(jobDeps(clock), id);
    await applyRandomOps(id, rng, 12, clock);
  }

  it("gives the owner the elements: the snapshot plus the ops after it", async () => {
    await projectWithHistory("mine");
    const { status, result } = await callCallable<Record<string, unknown>>("loadCanvasProject", { projectId: "mine" }, ownerToken);
    expect(status).toBe(200);
    expect(result).toEqual({
      projectId: "mine",
      opIndex: 52,
      snapshotOpIndex: 40,
      opsReplayed: 12,
      elements: await liveElements("mine"),
      nextCursor: null,
    });
  });

  it("refuses another user with permission-denied and a caller without login with unauthenticated", async () => {
    await projectWithHistory("mine");
    expect((await callCallable("loadCanvasProject", { projectId: "mine" }, otherToken)).error?.status).toBe("PERMISSION_DENIED");
    expect((await callCallable("loadCanvasProject", { projectId: "mine" })).error?.status).toBe("UNAUTHENTICATED");
  });

  it("answers a large project in pages of under 5 MB whose cursors only its owner can use", async () => {
    const rng = prng(testSeed("canvas callable pages"));
    const clock = new FakeClock();
    await seedProject("big", 1200, rng, 10_000, clock.now()); // ~12 MB of elements
    await snapshotProject(jobDeps(clock), "big");
    await applyRandomOps("big", rng, 20, clock);
    const elements: Record<string, unknown> = {};
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await fetch(functionUrl("loadCanvasProject"), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ownerToken}` },
        body: JSON.stringify({ data: { projectId: "big", ...(cursor ? { cursor } : {}) } }),
      });
      const body = await response.text();
      expect(Buffer.byteLength(body)).toBeLessThan(5_000_000);
      const page = (JSON.parse(body) as { result: { elements: Record<string, unknown>; nextCursor: string | null; opIndex: number } })
        .result;
      expect(page.opIndex).toBe(1220);
      Object.assign(elements, page.elements);
      if (page.nextCursor) {
        const stolen = await callCallable("loadCanvasProject", { projectId: "big", cursor: page.nextCursor }, otherToken);
        expect(stolen.error?.status).toBe("PERMISSION_DENIED");
      }
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(elements).toEqual(await liveElements("big"));
  });

  it("answers not-found for an unknown project", async () => {
    expect((await callCallable("loadCanvasProject", { projectId: "nope" }, ownerToken)).error?.status).toBe("NOT_FOUND");
  });

  it.each([
    ["no input", null],
    ["no projectId", {}],
    ["a number", { projectId: 5 }],
    ["an empty id", { projectId: "" }],
    ["an id with a slash", { projectId: "mine/elements" }],
    ["a reserved id", { projectId: "__x__" }],
    ["an unknown field", { projectId: "mine", at: 3 }],
    ["a cursor that is not one", { projectId: "mine", cursor: "%%%" }],
    ["a cursor of another shape", { projectId: "mine", cursor: Buffer.from('{"t":[1,2],"id":"x"}').toString("base64url") }],
  ])("rejects %s with invalid-argument", async (_label, data) => {
    const response = await callCallable("loadCanvasProject", data, ownerToken);
    expect(response.error?.status).toBe("INVALID_ARGUMENT");
  });
});
