import { db } from "../../src/shared/firebase";
import { firestoreHost, hubHost, projectId } from "./emulators";

export { db };

let offForSuite = false;

/** For suites that drive the pipeline by hand: background triggers stay off from beforeAll
 *  to afterAll. (Turning them back on makes the Functions emulator reload every function,
 *  which costs seconds; a suite that toggles per test pays that each time.) */
export function triggersOffDuringSuite(): void {
  beforeAll(async () => {
    await hub("disableBackgroundTriggers");
    offForSuite = true;
  });
  afterAll(async () => {
    offForSuite = false;
    await hub("enableBackgroundTriggers");
  });
}

/** For suites that use the real triggers: start from an empty Firestore, triggers on and
 *  confirmed live. Tests of such a suite use their own ids instead of clearing in between
 *  (re-enabled triggers are reloaded asynchronously, and events in that gap are lost). */
export function freshSuiteWithTriggers(): void {
  beforeAll(async () => {
    await clearFirestore();
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
  // triggers are off; after a suite of thousands of votes it needs a while to catch up.
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

/** Deletes every document of the test project in the Firestore emulator, with triggers
 *  off so the deletions enqueue nothing. */
export async function clearFirestore(): Promise<void> {
  await withoutTriggers(clearAll);
}

/** Deletes every document, leaving the triggers as they are (benchmarks keep them off). */
export async function clearAll(): Promise<void> {
  const url = `http://${firestoreHost}/emulator/v1/projects/${projectId}/databases/(default)/documents`;
  const response = await fetch(url, { method: "DELETE" });
  if (!response.ok) throw new Error(`clearing Firestore failed: ${response.status} ${await response.text()}`);
}

/** Runs `work` with the Functions emulator's background triggers off, so a test can seed
 *  or drive data without triggers reacting; they are back on afterwards, whatever happens. */
export async function withoutTriggers<T>(work: () => Promise<T>): Promise<T> {
  if (offForSuite) return work();
  await hub("disableBackgroundTriggers");
  try {
    return await work();
  } finally {
    await hub("enableBackgroundTriggers");
  }
}

/** Turns the Functions emulator's background triggers on or off. */
export const setBackgroundTriggers = (on: boolean) => hub(on ? "enableBackgroundTriggers" : "disableBackgroundTriggers");

async function hub(action: "disableBackgroundTriggers" | "enableBackgroundTriggers"): Promise<void> {
  const response = await fetch(`http://${hubHost}/functions/${action}`, { method: "PUT" });
  if (!response.ok) throw new Error(`${action} failed: ${response.status}`);
}
