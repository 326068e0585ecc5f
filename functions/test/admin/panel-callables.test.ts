import { Timestamp } from "firebase-admin/firestore";
import { families, writes } from "../../src/cache/map";
import { maintenanceRuns } from "../../src/maintenance/run";
import { generations } from "../../src/mirror/paths";
import { callCallable, createAdmin, createUser, idTokenFor } from "../helpers/auth";
import { mirrorDoc } from "../helpers/fixtures";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";

// The admin callables the panel adds: listMaintenanceRuns, findPublicItems, getCacheOverview.
describe("admin panel callables", () => {
  triggersOffDuringSuite();
  let adminToken: string;
  let userToken: string;
  beforeAll(async () => {
    await clearFirestore();
    adminToken = await idTokenFor(await createAdmin("panel-admin"));
    userToken = await idTokenFor(await createUser("panel-user"));
  });

  it.each([
    ["listMaintenanceRuns", {}],
    ["findPublicItems", { q: "x" }],
    ["getCacheOverview", {}],
  ])("%s needs a login with the admin claim", async (name, data) => {
    expect((await callCallable(name, data)).error?.status).toBe("UNAUTHENTICATED");
    expect((await callCallable(name, data, userToken)).error?.status).toBe("PERMISSION_DENIED");
  });

  it.each([
    ["listMaintenanceRuns", { limit: 0 }],
    ["listMaintenanceRuns", { limit: 51 }],
    ["listMaintenanceRuns", { job: 7 }],
    ["listMaintenanceRuns", { job: "dropEverything" }],
    ["listMaintenanceRuns", { extra: true }],
    ["findPublicItems", {}],
    ["findPublicItems", { q: "   " }],
    ["findPublicItems", { q: "x".repeat(201) }],
    ["getCacheOverview", { extra: 1 }],
    ["getMirrorQueueStats", { extra: 1 }],
  ])("%s refuses %p with invalid-argument", async (name, data) => {
    expect((await callCallable(name, data, adminToken)).error?.status).toBe("INVALID_ARGUMENT");
  });

  it("lists the newest runs first, of one job when asked", async () => {
    for (const job of ["refreshSignupImageCache", "collectCanvasMedia", "refreshSignupImageCache"])
      expect((await callCallable("runMaintenanceJob", { job, dryRun: true, limit: 5 }, adminToken)).error).toBeUndefined();
    type Runs = { runs: Array<{ runId: string; job: string; dryRun: boolean; status: string; startedAt: string }> };
    const all = (await callCallable<Runs>("listMaintenanceRuns", {}, adminToken)).result!.runs;
    expect(all.map((r) => r.job)).toEqual(["refreshSignupImageCache", "collectCanvasMedia", "refreshSignupImageCache"]);
    expect(all.every((r) => r.dryRun && r.status === "finished")).toBe(true);
    expect([...all.map((r) => r.startedAt)].sort().reverse()).toEqual(all.map((r) => r.startedAt));
    const stored = (await db().collection(maintenanceRuns).get()).docs.map((d) => d.id).sort();
    expect(all.map((r) => r.runId).sort()).toEqual(stored);
    const one = (await callCallable<Runs>("listMaintenanceRuns", { job: "collectCanvasMedia", limit: 5 }, adminToken)).result!.runs;
    expect(one.map((r) => r.job)).toEqual(["collectCanvasMedia"]);
    expect((await callCallable<Runs>("listMaintenanceRuns", { limit: 2 }, adminToken)).result!.runs).toHaveLength(2);
  });

  it("finds a public item by id, or by every word of its prompt ignoring case and accents", async () => {
    const put = (id: string, prompt: string, ageMs: number) =>
      db()
        .collection(generations)
        .doc(id)
        .set({ ...mirrorDoc("finder", 5), prompt, createdAt: Timestamp.fromMillis(Date.now() - ageMs) });
    await put("find-1", "A Café by the Sea", 3000);
    await put("find-2", "the sea at night", 2000);
    await put("find-3", "a lighthouse", 1000);
    type Found = { items: Array<{ historyId: string }>; scanned: number };
    const find = async (q: string) =>
      (await callCallable<Found>("findPublicItems", { q }, adminToken)).result!.items.map((i) => i.historyId);
    expect(await find("find-3")).toEqual(["find-3"]);
    expect(await find("SEA")).toEqual(["find-2", "find-1"]);
    expect(await find("cafe sea")).toEqual(["find-1"]);
    expect(await find("submarine")).toEqual([]);
  });

  it("shows the invalidation map as write -> reads, with every family and write declared", async () => {
    type Overview = {
      writes: Array<{ write: string; reads: string[] }>;
      reads: Array<{ name: string; ttlSeconds: number }>;
      shared: { day: string; counters: Record<string, number> } | null;
      instance: Record<string, number>;
    };
    const { result } = await callCallable<Overview>("getCacheOverview", {}, adminToken);
    expect(result!.reads.map((r) => r.name).sort()).toEqual(Object.keys(families).sort());
    const table = Object.fromEntries(result!.writes.map((w) => [w.write, w.reads.sort()]));
    expect(Object.keys(table).sort()).toEqual(Object.keys(writes).sort());
    expect(table.mirrorChanged).toEqual([
      "collectionItems",
      "explore",
      "feedPage",
      "followingFeed",
      "generation",
      "imageDetails",
      "likedImages",
      "userProfile",
    ]);
    expect(table.jamChanged).toEqual(["jamQueue"]);
    expect(table.signupSelected).toEqual(["signupSelection"]);
    expect(result!.shared).toEqual({ day: new Date().toISOString().slice(0, 10), counters: expect.any(Object) });
    expect(result!.instance).toMatchObject({ hits: expect.any(Number), misses: expect.any(Number), errors: expect.any(Number) });
  });
});
