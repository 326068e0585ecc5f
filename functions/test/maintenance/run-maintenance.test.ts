import { Timestamp } from "firebase-admin/firestore";
import type { JobDefinition, JobResult } from "../../src/maintenance/job";
import { idleRunRetentionMs, maintenanceRuns, runJob, runRetentionMs } from "../../src/maintenance/run";
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

  it("records expire: a run that did nothing after a day, one that did or failed something after 30 days", async () => {
    const { result } = await callCallable<{ runId: string }>("runMaintenanceJob", { job: "recoverArtRequests", dryRun: false }, adminToken);
    const retentionOf = async (runId: string) => {
      const record = (await db().collection(maintenanceRuns).doc(runId).get()).data()!;
      return (record.expireAt as Timestamp).toMillis() - (record.finishedAt as Timestamp).toMillis();
    };
    expect(await retentionOf(result!.runId)).toBe(idleRunRetentionMs); // nothing to recover
    const job = (name: string, outcome: JobResult): JobDefinition => ({
      name,
      schedule: "every 1 minutes",
      timeZone: "Etc/UTC",
      timeoutSeconds: 60,
      memory: "256MiB",
      secrets: [],
      run: async () => outcome,
    });
    const deps = { db: db(), now: () => Date.now() };
    const did = await runJob(deps, job("didSomething", { counts: { fixed: 1 }, errors: [] }), { dryRun: false });
    const failed = await runJob(deps, job("failedOne", { counts: {}, errors: [{ id: "x", error: "e" }] }), { dryRun: false });
    expect(await retentionOf(did.runId)).toBe(runRetentionMs);
    expect(await retentionOf(failed.runId)).toBe(runRetentionMs);
  });
});
