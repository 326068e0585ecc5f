import { setGlobalOptions } from "firebase-functions/v2/options";
import { regionParam } from "./region";

/**
 * What every deployed function gets unless its own options say otherwise, set once before any
 * function is defined (src/index.ts imports this first). One vCPU (firebase-functions' default
 * at 256 MiB-2 GiB) serving up to `concurrency` requests at a time, and at most `maxInstances`
 * instances of each function: with both, a flood costs at most 10 instances per function, and
 * the three retried triggers cannot scale without bound. The numbers are a starting point
 * (tools/deploy/table.json lists every function's; the capacity issue sets them from load).
 */
export const globalOptions = { region: regionParam, memory: "256MiB", timeoutSeconds: 60, concurrency: 80, maxInstances: 10 } as const;

setGlobalOptions(globalOptions);
