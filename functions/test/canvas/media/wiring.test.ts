import { maintenanceRuns } from "../../../src/maintenance/run";
import { collectCanvasMedia } from "../../../src/canvas/media";
import { clearFirestore, db, triggersOffDuringSuite } from "../../helpers/firestore";
import { objectExists, recordOf, seedMedia, startS3, type S3Server } from "./harness";

// The deployed function as data (its endpoint), then its handler run with a real event,
// params and secrets from the environment as the Functions runtime provides them.
describe("collectCanvasMedia wiring", () => {
  triggersOffDuringSuite();
  let s3: S3Server;
  const saved = { ...process.env };
  beforeAll(async () => {
    await clearFirestore();
    s3 = await startS3();
  });
  afterAll(async () => {
    process.env = saved;
    await s3.stop();
  });

  it("runs daily at 03:00 (unix cron) without platform retries, with the store's secrets bound", () => {
    const endpoint = collectCanvasMedia.__endpoint;
    expect(endpoint).toMatchObject({
      scheduleTrigger: { schedule: "0 3 * * *", retryConfig: { retryCount: 0 } },
      availableMemoryMb: 512,
      secretEnvironmentVariables: [{ key: "MEDIA_S3_ACCESS_KEY_ID" }, { key: "MEDIA_S3_SECRET_ACCESS_KEY" }],
    });
    // Params stay expressions in the manifest, resolved at deploy time.
    expect(String(endpoint.scheduleTrigger?.timeZone)).toBe("params.CANVAS_MEDIA_GC_TIMEZONE");
    expect(String(endpoint.timeoutSeconds)).toBe("params.CANVAS_MEDIA_GC_TIMEOUT_SECONDS");
  });

  it("the handler collects through the params' store and records the run", async () => {
    Object.assign(process.env, {
      MEDIA_S3_ENDPOINT: s3.settings.endpoint,
      MEDIA_S3_REGION: s3.settings.region,
      MEDIA_BUCKET: s3.settings.bucket,
      MEDIA_S3_ACCESS_KEY_ID: s3.settings.accessKeyId,
      MEDIA_S3_SECRET_ACCESS_KEY: s3.settings.secretAccessKey,
      CANVAS_MEDIA_TTL_DAYS: "30",
      CANVAS_MEDIA_BATCH: "100",
    });
    const now = Date.now();
    await seedMedia(s3, "old", now, { ageDays: 31 });
    await seedMedia(s3, "young", now, { ageDays: 29 });
    await collectCanvasMedia.run({ scheduleTime: new Date(now).toISOString() });
    expect(await recordOf("old")).toBeUndefined();
    expect(await objectExists(s3, "old")).toBe(false);
    expect(await recordOf("young")).toBeDefined();
    const runs = await db().collection(maintenanceRuns).where("job", "==", "collectCanvasMedia").get();
    expect(runs.docs.map((d) => d.data())).toEqual([
      expect.objectContaining({ status: "finished", counts: expect.objectContaining({ deleted: 1 }) }),
    ]);
  });
});
