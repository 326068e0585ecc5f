import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { getApp } from "firebase-admin/app";
import { db } from "../../src/shared/firebase";
import { firestoreHost, hubHost, projectId } from "./emulators";

export { db };

/**
 * The Functions emulator's background triggers (Firestore triggers and schedules) are one
 * switch for the whole run. Turning them off is cheap; turning them on makes the emulator
 * discover and load every function again and kill its warm workers (seconds). So the helpers
 * below switch only when the state must change: the state lives in a file that
 * tools/stack/lanes.ts creates for the run (FRESCO_TRIGGER_STATE, "on" at start: the emulator
 * starts with them on), every switch is logged to FRESCO_TRIGGER_SWITCHES for the run's
 * summary, and test/lanes.js orders the suites so that it seldom has to change.
 *
 * In the direct lane (FRESCO_LANE=direct) the suites run on a project no function listens to:
 * there is nothing to switch, and a suite that needs triggers belongs in the functions lane.
 */
const directLane = () => process.env.FRESCO_LANE === "direct";

type TriggerState = "on" | "off";

function readState(): TriggerState {
  const file = process.env.FRESCO_TRIGGER_STATE;
  if (!file) throw new Error("FRESCO_TRIGGER_STATE is not set: run the suites with `npm test`");
  return existsSync(file) && readFileSync(file, "utf8").trim() === "off" ? "off" : "on";
}

/** Sets the background triggers, switching the emulator only if they are not already so. */
export async function setTriggers(state: TriggerState): Promise<void> {
  if (directLane()) return;
  if (readState() === state) return;
  const started = Date.now();
  await hub(state === "on" ? "enableBackgroundTriggers" : "disableBackgroundTriggers");
  writeFileSync(process.env.FRESCO_TRIGGER_STATE!, state);
  const log = process.env.FRESCO_TRIGGER_SWITCHES;
  if (log) appendFileSync(log, `${JSON.stringify({ state, suite: expect.getState().testPath, ms: Date.now() - started })}\n`);
}

/** For suites that drive the pipeline by hand: background triggers off from beforeAll on (the
 *  next suite that needs them turns them on). */
export function triggersOffDuringSuite(): void {
  beforeAll(() => setTriggers("off"));
}

/** For suites that use the real triggers on their own ids, beside what earlier suites left:
 *  triggers on and confirmed live. */
export function suiteWithTriggers(): void {
  beforeAll(async () => {
    if (directLane()) throw new Error("this suite needs the Functions emulator's triggers: put it in the functions lane (test/lanes.js)");
    await setTriggers("on");
    await triggersLive();
  }, 150_000);
}

/** For suites that use the real triggers and read what any write could change (a feed, a
 *  selection): start from an empty Firestore (cleared with triggers off), triggers on and
 *  confirmed live. Tests of such a suite use their own ids instead of clearing in between
 *  (re-enabled triggers are reloaded asynchronously, and events in that gap are lost). */
export function freshSuiteWithTriggers(): void {
  beforeAll(async () => {
    if (directLane()) throw new Error("this suite needs the Functions emulator's triggers: put it in the functions lane (test/lanes.js)");
    await clearFirestore();
    await setTriggers("on");
    await triggersLive();
  }, 150_000);
}

/** Waits until a source write really fires onGenerationHistoryWritten (a private probe
 *  item: its task runs and leaves no mirror). */
export async function triggersLive(): Promise<void> {
  const probe = `probe-${Date.now()}`;
  const ref = db().doc(`generationHistory/zz-probe/items/${probe}`);
  const item = { prompt: "probe", model: "probe", isPublic: false, createdAt: new Date(), createdBy: { uid: "zz-probe" } };
  // The Functions emulator takes an event for every write to a triggered path even while
  // triggers are off; after a suite of thousands of writes it needs a while to catch up.
  const deadline = Date.now() + 120_000;
  for (let i = 0; Date.now() < deadline; i++) {
    await ref.set({ ...item, n: i });
    for (let j = 0; j < 10; j++) {
      const tasks = await db().collection("mirrorQueue").where("historyId", "==", probe).limit(1).get();
      if (!tasks.empty) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("the Functions emulator's triggers did not come back within 120 s");
}

/** Deletes every document of the suite's project, with triggers off so the deletions enqueue
 *  nothing (they stay off: the next suite that needs them turns them on). */
export async function clearFirestore(): Promise<void> {
  await setTriggers("off");
  await clearAll();
}

/** Deletes every document, leaving the triggers as they are (benchmarks keep them off). */
export async function clearAll(): Promise<void> {
  // The lane's writes must land on the project cleared here (and, in the direct lane, on one
  // no trigger listens to): firebase-admin takes it from FIREBASE_CONFIG before GCLOUD_PROJECT.
  db();
  const appProject = getApp().options.projectId;
  if (appProject && appProject !== projectId)
    throw new Error(`firebase-admin writes to project ${appProject}, this lane clears ${projectId}`);
  const url = `http://${firestoreHost}/emulator/v1/projects/${projectId}/databases/(default)/documents`;
  const response = await fetch(url, { method: "DELETE" });
  if (!response.ok) throw new Error(`clearing Firestore failed: ${response.status} ${await response.text()}`);
}

/** Deletes these top-level collections (and everything under them) and leaves the triggers as
 *  they are: for suites that need triggers on and an empty domain of their own, where no
 *  trigger listens (a clear of everything would have to switch the triggers off and on). */
export async function clearCollections(names: string[]): Promise<void> {
  await Promise.all(names.map((name) => db().recursiveDelete(db().collection(name))));
}

/** Runs `work` with the Functions emulator's background triggers off, so a test can seed or
 *  drive data without triggers reacting; afterwards they are as they were before. */
export async function withoutTriggers<T>(work: () => Promise<T>): Promise<T> {
  if (directLane()) return work();
  const before = readState();
  await setTriggers("off");
  try {
    return await work();
  } finally {
    await setTriggers(before);
  }
}

/** Turns the Functions emulator's background triggers on or off, unconditionally (benchmarks,
 *  which run outside jest and keep no state). */
export const setBackgroundTriggers = (on: boolean) => hub(on ? "enableBackgroundTriggers" : "disableBackgroundTriggers");

async function hub(action: "disableBackgroundTriggers" | "enableBackgroundTriggers"): Promise<void> {
  const response = await fetch(`http://${hubHost}/functions/${action}`, { method: "PUT" });
  if (!response.ok) throw new Error(`${action} failed: ${response.status}`);
}
