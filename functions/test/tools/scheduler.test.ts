/**
 * The local scheduler of `npm start` (tools/stack/scheduler.ts): the emulator delivers no
 * schedules, so the stack reads every scheduled function's endpoint and fires it on its
 * schedule through the route the tests use. Here: what it reads from the real functions
 * module, when it fires (a fake clock and a recording `fire`), and, end to end, that a
 * mirror task left failed or pending is processed when its tick fires sweepMirrorQueue.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { Timestamp } from "firebase-admin/firestore";
import * as functions from "../../src";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { LocalScheduler, schedulesOf, type Schedule } from "../../tools/stack/scheduler";
import type { StackLayout } from "../../tools/stack/layout";
import { layout } from "../helpers/emulators";
import { sourceItem } from "../helpers/fixtures";
import { db, setTriggers, triggersLive } from "../helpers/firestore";
import { waitFor } from "../helpers/wait";

/** The params the deploy and the emulator read: functions/.env (the stack reads it the same way). */
const envParams = parseEnv(readFileSync(join(__dirname, "..", "..", ".env"), "utf8")) as Record<string, string>;
const byName = (a: Schedule, b: Schedule) => a.name.localeCompare(b.name);
const minute = 60_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString();

/** A scheduler on a fake clock whose `fire` records what it was asked to fire, and when. */
function recording(schedules: Schedule[], fail: (name: string) => boolean = () => false) {
  const fired: Array<{ name: string; at: number }> = [];
  const logs: string[] = [];
  let clock = 0;
  const fire = async (_layout: StackLayout, name: string) => {
    fired.push({ name, at: clock });
    if (fail(name)) throw new Error(`${name} answered 500`);
  };
  const scheduler = new LocalScheduler(layout, schedules, fire, (line) => logs.push(line));
  return {
    fired,
    logs,
    start: (at: number) => void ((clock = at), scheduler.nextRuns(at)),
    tick: (at: number) => ((clock = at), scheduler.tick(at)),
    timesOf: (name: string) => fired.filter((f) => f.name === name).map((f) => iso(f.at)),
  };
}

describe("schedulesOf", () => {
  it("lists exactly the scheduled functions of the functions module, with their cron and time zones from functions/.env", () => {
    expect(schedulesOf(functions, envParams).sort(byName)).toEqual([
      { name: "collectCanvasMedia", schedule: "0 3 * * *", timeZone: "Etc/UTC" },
      { name: "recoverArtRequests", schedule: "* * * * *", timeZone: "Etc/UTC" },
      { name: "refreshSignupImageCache", schedule: "0 0 * * *", timeZone: "Etc/UTC" },
      { name: "replayCacheInvalidations", schedule: "* * * * *", timeZone: "Etc/UTC" },
      { name: "snapshotCanvasProjects", schedule: "0 */6 * * *", timeZone: "Etc/UTC" },
      { name: "sweepMirrorQueue", schedule: "* * * * *", timeZone: "Etc/UTC" },
    ]);
    // The param-driven time zones really come from the params (functions/.env says Etc/UTC for both).
    expect(envParams).toMatchObject({ CANVAS_MEDIA_GC_TIMEZONE: "Etc/UTC", CANVAS_SNAPSHOT_TIMEZONE: "Etc/UTC" });
  });

  it("resolves a time zone that is a param from the params given; fixed ones stay as declared", () => {
    const params = { ...envParams, CANVAS_MEDIA_GC_TIMEZONE: "Asia/Tokyo", CANVAS_SNAPSHOT_TIMEZONE: "America/New_York" };
    const zones = Object.fromEntries(schedulesOf(functions, params).map((s) => [s.name, s.timeZone]));
    expect(zones).toEqual({
      collectCanvasMedia: "Asia/Tokyo",
      snapshotCanvasProjects: "America/New_York",
      recoverArtRequests: "Etc/UTC",
      refreshSignupImageCache: "Etc/UTC",
      replayCacheInvalidations: "Etc/UTC",
      sweepMirrorQueue: "Etc/UTC",
    });
  });

  it("ignores exports that are not scheduled functions", () => {
    const names = schedulesOf(functions, envParams).map((s) => s.name);
    for (const other of ["signupImages", "processMirrorTask", "onGenerationWritten", "updateAestheticScore", "health"]) {
      expect(Object.keys(functions)).toContain(other);
      expect(names).not.toContain(other);
    }
  });
});

describe("LocalScheduler.tick on a fake clock", () => {
  const all = schedulesOf(functions, envParams);

  it("over one day fires each function at each of its due times, exactly once", async () => {
    const s = recording(all);
    const start = utc("2026-01-15T10:00:30");
    s.start(start);
    // A tick every 15 s, and every tick twice: a repeated tick fires nothing again.
    for (let at = start; at <= start + 24 * 60 * minute; at += 15_000) {
      await s.tick(at);
      expect(await s.tick(at)).toEqual([]);
    }
    expect(s.timesOf("snapshotCanvasProjects")).toEqual([
      "2026-01-15T12:00:00.000Z",
      "2026-01-15T18:00:00.000Z",
      "2026-01-16T00:00:00.000Z",
      "2026-01-16T06:00:00.000Z",
    ]);
    expect(s.timesOf("refreshSignupImageCache")).toEqual(["2026-01-16T00:00:00.000Z"]);
    expect(s.timesOf("collectCanvasMedia")).toEqual(["2026-01-16T03:00:00.000Z"]);
    const everyMinute = Array.from({ length: 24 * 60 }, (_, i) => iso(utc("2026-01-15T10:01:00") + i * minute));
    expect(s.timesOf("sweepMirrorQueue")).toEqual(everyMinute);
    expect(s.timesOf("replayCacheInvalidations")).toEqual(everyMinute);
    expect(s.logs).toEqual([]);
  });

  it("fires on the first tick at or after a due time, not before", async () => {
    const s = recording(all.filter((x) => x.name === "sweepMirrorQueue"));
    s.start(utc("2026-01-15T10:00:30"));
    expect(await s.tick(utc("2026-01-15T10:00:59.999"))).toEqual([]);
    expect(await s.tick(utc("2026-01-15T10:01:00.400"))).toEqual(["sweepMirrorQueue"]);
    expect(await s.tick(utc("2026-01-15T10:01:59.000"))).toEqual([]);
    expect(await s.tick(utc("2026-01-15T10:02:00.000"))).toEqual(["sweepMirrorQueue"]);
    // After a pause (a sleeping laptop) the missed runs are one run, as with Cloud Scheduler.
    expect(await s.tick(utc("2026-01-15T10:09:10.000"))).toEqual(["sweepMirrorQueue"]);
    expect(await s.tick(utc("2026-01-15T10:09:50.000"))).toEqual([]);
    expect(await s.tick(utc("2026-01-15T10:10:00.000"))).toEqual(["sweepMirrorQueue"]);
    expect(s.fired).toHaveLength(4);
  });

  it("runs a daily job at its time in the time zone of its param", async () => {
    const tokyo = schedulesOf(functions, { ...envParams, CANVAS_MEDIA_GC_TIMEZONE: "Asia/Tokyo" }).filter(
      (x) => x.name === "collectCanvasMedia",
    );
    const s = recording(tokyo);
    s.start(utc("2026-01-15T00:00:00"));
    for (let at = utc("2026-01-15T00:00:00"); at <= utc("2026-01-17T00:00:00"); at += minute) await s.tick(at);
    // 03:00 in Tokyo (UTC+9) is 18:00 UTC the day before.
    expect(s.timesOf("collectCanvasMedia")).toEqual(["2026-01-15T18:00:00.000Z", "2026-01-16T18:00:00.000Z"]);
  });

  it("logs a failed run and keeps the schedule going; the others of the tick still fire", async () => {
    const s = recording(
      all.filter((x) => x.schedule === "* * * * *"),
      (name) => name === "sweepMirrorQueue",
    );
    s.start(utc("2026-01-15T10:00:30"));
    expect((await s.tick(utc("2026-01-15T10:01:00"))).sort()).toEqual([
      "recoverArtRequests",
      "replayCacheInvalidations",
      "sweepMirrorQueue",
    ]);
    expect(s.logs).toEqual(["scheduled sweepMirrorQueue failed: Error: sweepMirrorQueue answered 500"]);
    expect((await s.tick(utc("2026-01-15T10:02:00"))).sort()).toEqual([
      "recoverArtRequests",
      "replayCacheInvalidations",
      "sweepMirrorQueue",
    ]);
    expect(s.timesOf("sweepMirrorQueue")).toEqual(["2026-01-15T10:01:00.000Z", "2026-01-15T10:02:00.000Z"]);
  });
});

describe("LocalScheduler on the emulator (what npm start does every minute)", () => {
  const uid = "sched-user";
  const secondsAgo = (s: number) => Timestamp.fromMillis(Date.now() - s * 1000);
  const taskRef = (id: string) => db().collection(mirrorQueue).doc(id);

  it("a tick fires sweepMirrorQueue through the emulator, and the sweeper processes a failed task past its backoff and an old pending task", async () => {
    // Source items and their tasks written with triggers off: no trigger will ever process
    // these tasks, so their mirrors stay wrong until something sweeps the queue. The tick needs
    // them on (a schedule is a background trigger in the emulator).
    await setTriggers("off");
    for (const id of ["sched-failed", "sched-pending"]) {
      await db().doc(mirrorPath(id)).delete();
      await db()
        .doc(sourcePath(uid, id))
        .set(sourceItem(uid, { prompt: `prompt of ${id}` }));
    }
    await taskRef("task-sched-failed").set({
      op: "upsert",
      uid,
      historyId: "sched-failed",
      status: "failed",
      attempts: 1,
      lastError: "Error: Firestore unavailable",
      nextAttemptAt: secondsAgo(5),
      createdAt: secondsAgo(30),
      updatedAt: secondsAgo(10),
    });
    await taskRef("task-sched-pending").set({
      op: "upsert",
      uid,
      historyId: "sched-pending",
      status: "pending",
      attempts: 0,
      createdAt: secondsAgo(120), // older than the sweeper's 60 s grace: its trigger never came
      updatedAt: secondsAgo(120),
    });
    await setTriggers("on");
    await triggersLive();
    expect((await db().doc(mirrorPath("sched-failed")).get()).exists).toBe(false);
    expect((await db().doc(mirrorPath("sched-pending")).get()).exists).toBe(false);

    const logs: string[] = [];
    const scheduler = new LocalScheduler(layout, schedulesOf(functions, envParams), undefined, (line) => logs.push(line));
    scheduler.nextRuns(utc("2026-01-15T10:00:30"));
    // 10:01 is due for the every-minute functions only; fire is the real one (the emulator route).
    expect((await scheduler.tick(utc("2026-01-15T10:01:00"))).sort()).toEqual([
      "recoverArtRequests",
      "replayCacheInvalidations",
      "sweepMirrorQueue",
    ]);
    expect(logs).toEqual([]);

    for (const id of ["sched-failed", "sched-pending"]) {
      const task = await waitFor(
        async () => {
          const data = (await taskRef(`task-${id}`).get()).data();
          return data?.status === "done" ? data : undefined;
        },
        { timeoutMs: 30_000, what: `task-${id} to be done` },
      );
      expect(task).toMatchObject({ outcome: "written" });
      expect((await db().doc(mirrorPath(id)).get()).data()).toMatchObject({ uid, historyId: id, prompt: `prompt of ${id}` });
    }
    expect((await taskRef("task-sched-failed").get()).get("attempts")).toBe(2);
  });
});
