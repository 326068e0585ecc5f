import { loadCanvasState } from "../../src/canvas/load";
import { loadCanvasProject, snapshotCanvasProjects } from "../../src/canvas";
import { canvasProjects } from "../../src/canvas/model";
import { maintenanceCursors } from "../../src/maintenance/cursors";
import { clearCollections, db, suiteWithTriggers } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import { fireScheduledJob } from "../helpers/schedule";
import { heads, liveElements, seedProject } from "./harness";

describe("snapshotCanvasProjects schedule", () => {
  // The schedule fires through the emulator (triggers on); canvas collections have no trigger.
  suiteWithTriggers();
  beforeEach(() => clearCollections([canvasProjects, maintenanceCursors]));

  it("is wired as a 6-hourly unix-cron schedule (00:00, 06:00, 12:00, 18:00) without platform retries, and loadCanvasProject as a callable", () => {
    const endpoint = snapshotCanvasProjects.__endpoint;
    expect(endpoint.scheduleTrigger).toMatchObject({ schedule: "0 */6 * * *", retryConfig: { retryCount: 0 } });
    expect(String(endpoint.scheduleTrigger!.timeZone)).toMatch(/CANVAS_SNAPSHOT_TIMEZONE/);
    expect(String(endpoint.timeoutSeconds)).toMatch(/CANVAS_SNAPSHOT_TIMEOUT_SECONDS/);
    expect(endpoint.availableMemoryMb).toBe(1024);
    expect(loadCanvasProject.__endpoint.callableTrigger).toBeDefined();
  });

  it("fired as Cloud Scheduler does, snapshots the due projects and records the run", async () => {
    const rng = prng(testSeed("canvas schedule"));
    await seedProject("due", 120, rng);
    const { run } = await fireScheduledJob("snapshotCanvasProjects");
    expect(run).toMatchObject({ status: "finished", dryRun: false, errorCount: 0, counts: expect.objectContaining({ snapshotted: 1 }) });
    expect((await heads("due")).map((h) => [h.opIndex, h.complete])).toEqual([[120, true]]);
    expect((await loadCanvasState(db(), "due"))!.elements).toEqual(await liveElements("due"));
  });
});
