import type { DocumentData } from "firebase-admin/firestore";
import { maintenanceRuns } from "../../src/maintenance/run";
import { fireSchedule as fire } from "../../tools/stack/fire-schedule";
import { layout } from "./emulators";
import { db } from "./firestore";
import { waitFor } from "./wait";

/** Runs a scheduled function now, as Cloud Scheduler would (see tools/stack/fire-schedule.ts). */
export const fireSchedule = (functionName: string) => fire(layout, functionName);

/** Fires a scheduled job (named as its function) and waits for the run record it writes;
 *  `firedAt` is when it was fired (a second of clock skew allowed in the match). */
export async function fireScheduledJob(job: string): Promise<{ run: DocumentData; firedAt: number }> {
  const firedAt = Date.now();
  await fireSchedule(job);
  const run = await waitFor(
    async () => {
      const runs = await db().collection(maintenanceRuns).where("job", "==", job).get();
      return runs.docs.map((d) => d.data()).find((r) => r.startedAt.toMillis() >= firedAt - 1000);
    },
    { timeoutMs: 30_000, what: `a ${job} run record` },
  );
  return { run, firedAt };
}
