import { db } from "../../src/shared/firebase";
import { firestoreHost, hubHost, projectId } from "./emulators";

export { db };

/** Deletes every document of the test project in the Firestore emulator, with triggers
 *  off so the deletions enqueue nothing. */
export async function clearFirestore(): Promise<void> {
  await withoutTriggers(clearAll);
}

async function clearAll(): Promise<void> {
  const url = `http://${firestoreHost}/emulator/v1/projects/${projectId}/databases/(default)/documents`;
  const response = await fetch(url, { method: "DELETE" });
  if (!response.ok) throw new Error(`clearing Firestore failed: ${response.status} ${await response.text()}`);
}

/** Runs `work` with the Functions emulator's background triggers off, so a test can seed
 *  or drive data without triggers reacting; they are back on afterwards, whatever happens. */
export async function withoutTriggers<T>(work: () => Promise<T>): Promise<T> {
  await hub("disableBackgroundTriggers");
  try {
    return await work();
  } finally {
    await hub("enableBackgroundTriggers");
  }
}

async function hub(action: "disableBackgroundTriggers" | "enableBackgroundTriggers"): Promise<void> {
  const response = await fetch(`http://${hubHost}/functions/${action}`, { method: "PUT" });
  if (!response.ok) throw new Error(`${action} failed: ${response.status}`);
}
