import { maintenanceRuns } from "../../src/maintenance/run";
import { callCallable, createAdmin, createUser, idTokenFor } from "../helpers/auth";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";

// runMaintenanceJob over HTTP as the admin panel calls it.
describe("runMaintenanceJob", () => {
  triggersOffDuringSuite();
  let adminToken: string;
  let userToken: string;
  beforeAll(async () => {
    await clearFirestore();
    adminToken = await idTokenFor(await createAdmin("jobs-admin"));
    userToken = await idTokenFor(await createUser("jobs-user"));
  });

  const runs = async () => (await db().collection(maintenanceRuns).get()).docs.map((d) => d.data());

  it("needs a login with the admin claim", async () => {
    expect((await callCallable("runMaintenanceJob", { job: "refreshSignupImageCache" })).error?.status).toBe("UNAUTHENTICATED");
    expect((await callCallable("runMaintenanceJob", { job: "refreshSignupImageCache" }, userToken)).error?.status).toBe(
      "PERMISSION_DENIED",
    );
  });

  it.each([
    ["an unknown job", { job: "dropEverything" }],
    ["a string dryRun", { job: "collectCanvasMedia", dryRun: "yes" }],
    ["a zero limit", { job: "collectCanvasMedia", limit: 0 }],
    ["a huge limit", { job: "collectCanvasMedia", limit: 5000 }],
    ["a fractional limit", { job: "collectCanvasMedia", limit: 1.5 }],
    ["an extra field", { job: "collectCanvasMedia", force: true }],
    ["no job", {}],
  ])("rejects %s with invalid-argument and runs nothing", async (_label, data) => {
    const before = (await runs()).length;
    expect((await callCallable("runMaintenanceJob", data, adminToken)).error?.status).toBe("INVALID_ARGUMENT");
    expect((await runs()).length).toBe(before);
  });

  it.each(["snapshotCanvasProjects", "collectCanvasMedia", "refreshSignupImageCache"])(
    "runs %s as a dry run, returns its summary and records it",
    async (job) => {
      const { result, error } = await callCallable<{ runId: string; job: string; dryRun: boolean; counts: Record<string, number> }>(
        "runMaintenanceJob",
        { job, dryRun: true, limit: 10 },
        adminToken,
      );
      expect(error).toBeUndefined();
      expect(result).toMatchObject({ job, dryRun: true, counts: expect.any(Object) });
      const record = (await db().collection(maintenanceRuns).doc(result!.runId).get()).data();
      expect(record).toMatchObject({ job, dryRun: true, status: "finished" });
    },
  );
});
