import rows from "./table.json";

/**
 * What deploys, as data (table.json, one row a function): every function's trigger, memory (MiB), timeout (s, or the param that
 * sets it), concurrency, max instances, the secrets it binds, its schedule and whether a failed
 * event is retried. Region: every function in the one region the FRESCO_REGION param names
 * (src/shared/region.ts; us-central1 unless a project's .env file moves it), with the global
 * options most rows show (src/shared/global-options.ts). Kept by hand: test/unit/deploy-table.test.ts fails when a row
 * differs from what the SDK exports (each export's `__endpoint`, which is what the deploy reads),
 * or a function has no row.
 */
export interface Deployed {
  trigger: "callable" | "https" | "schedule" | "firestore.written" | "firestore.created";
  memory: number;
  timeout: number | string;
  concurrency: number;
  maxInstances: number;
  secrets: string[];
  schedule?: string;
  retry?: boolean;
}

/** The rows (table.json: data, one function a line). */
export const deployTable = rows as Record<string, Deployed>;
