import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { maintenanceRuns } from "./run";

export interface ListRunsInput {
  job?: string;
  limit: number;
}

export interface RunRecord {
  runId: string;
  job: string;
  status: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
  errorCount: number;
  errors: Array<{ id: string; error: string }>;
  planned: string[];
}

const iso = (value: unknown) => (value instanceof Timestamp ? value.toDate().toISOString() : "");

/** The recent records of `runJob`, the same whether a schedule or an admin started the run.
 *  With `job`, the query needs the (job, startedAt desc) composite index. */
export async function listRuns(db: Firestore, input: ListRunsInput): Promise<{ runs: RunRecord[] }> {
  let query = db.collection(maintenanceRuns).orderBy("startedAt", "desc").limit(input.limit);
  if (input.job !== undefined) query = query.where("job", "==", input.job);
  const snap = await query.get();
  return {
    runs: snap.docs.map((doc) => {
      const d = doc.data();
      return {
        runId: doc.id,
        job: String(d.job),
        status: String(d.status),
        dryRun: d.dryRun === true,
        startedAt: iso(d.startedAt),
        finishedAt: iso(d.finishedAt),
        counts: (d.counts ?? {}) as Record<string, number>,
        errorCount: Number(d.errorCount ?? 0),
        errors: ((d.errors ?? []) as RunRecord["errors"]).slice(0, 10),
        planned: ((d.planned ?? []) as string[]).slice(0, 20),
      };
    }),
  };
}
