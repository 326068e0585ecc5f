import { frescoWorkerOptions, MirrorWorker, seedWorkerOptions } from "../../src/mirror/worker";
import { numberArg, toolMirrorDeps } from "./local-deps";

// `npm run worker:mirror [-- --seed] [--batch N] [--concurrency N] [--per-transaction N] [--poll-ms N] [--max-idle-ms N] [--project <id>]`
// A standalone polling worker for self-hosting and catch-up. Several may run at once: every
// task is taken and applied inside one transaction (with up to --per-transaction tasks of
// other items). SIGINT/SIGTERM finish the tasks in hand, then exit.
const argv = process.argv.slice(2);
const base = argv.includes("--seed") ? seedWorkerOptions : frescoWorkerOptions;
const options = {
  ...base,
  pollMs: numberArg(argv, "poll-ms", base.pollMs),
  batchSize: numberArg(argv, "batch", base.batchSize),
  concurrency: numberArg(argv, "concurrency", base.concurrency),
  tasksPerTransaction: numberArg(argv, "per-transaction", base.tasksPerTransaction),
  maxIdleMs: numberArg(argv, "max-idle-ms", base.maxIdleMs),
};
const deps = toolMirrorDeps("worker", argv);
const worker = new MirrorWorker(deps, options);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: finishing the current batch…`);
    worker.stop();
  });
}
console.log(`mirror worker ${deps.workerId}: ${JSON.stringify(options)}`);
const started = Date.now();
worker.run().then(() => {
  console.log(`stopped after ${worker.processed} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
});
