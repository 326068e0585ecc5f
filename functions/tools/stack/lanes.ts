/**
 * `npm test`'s emulator part, run by `firebase emulators:exec`: the direct and functions lanes
 * of test/lanes.js as two jest processes at the same time, each line of their output prefixed
 * with its lane. The direct lane gets a project, a redis-server and an Upstash bridge of its own
 * (its suites flush, count keys and restart theirs); the functions lane uses the stack's.
 * Afterwards it records what one late write costs the Functions emulator (tools/stack/run-report.ts
 * prints it with the rest of the run's figures).
 *
 *   tsx tools/stack/lanes.ts <run dir> [jest args...]
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startRedisServer } from "../redis/redis-server";
import { startUpstashBridge } from "../redis/upstash-bridge";
import { stackLayout } from "./layout";
import { functionsDir } from "./paths";
import { runFiles } from "./run-report";

export const directProject = "demo-fresco-direct";

type Lane = "functions" | "direct";

/** Every variable firebase-admin (and the emulators' clients) take the project from: emulators:exec
 *  sets FIREBASE_CONFIG, which initializeApp() reads before GCLOUD_PROJECT. */
function projectEnv(projectId: string): Record<string, string> {
  const config = JSON.parse(process.env.FIREBASE_CONFIG ?? "{}") as Record<string, unknown>;
  return { GCLOUD_PROJECT: projectId, GOOGLE_CLOUD_PROJECT: projectId, FIREBASE_CONFIG: JSON.stringify({ ...config, projectId }) };
}

function runLane(lane: Lane, env: NodeJS.ProcessEnv, jestArgs: string[]): Promise<number> {
  const jest = join(functionsDir, "node_modules", ".bin", "jest");
  const child = spawn(jest, ["--passWithNoTests", ...jestArgs], {
    cwd: functionsDir,
    env: { ...env, FRESCO_LANE: lane },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tag = `[${lane}]`.padEnd(12);
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on("line", (line) => process.stderr.write(`${tag}${line}\n`));
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

/** What one write to a triggered path costs once the run is over: the Functions emulator keeps
 *  every generation of trigger it ever registered (each re-enable adds one), the Firestore
 *  emulator POSTs the event to each, and only the newest runs it. */
async function lateWrite(): Promise<{ generations: Record<string, number> }> {
  const layout = stackLayout();
  const response = await fetch(`http://${layout.hosts.functions}/backends`);
  const body = (await response.json()) as { backends: Array<{ functionTriggers: Array<{ entryPoint: string; eventTrigger?: unknown }> }> };
  const generations: Record<string, number> = {};
  for (const backend of body.backends)
    for (const trigger of backend.functionTriggers)
      if (trigger.eventTrigger) generations[trigger.entryPoint] = (generations[trigger.entryPoint] ?? 0) + 1;
  return { generations };
}

async function main(runDir: string, jestArgs: string[]): Promise<number> {
  const files = runFiles(runDir);
  const startedAt = Date.now();
  writeFileSync(files.triggerState, "on"); // the emulator starts with its triggers on
  const redis = await startRedisServer();
  const bridge = await startUpstashBridge({ redisUrl: redis.url, token: process.env.UPSTASH_REDIS_REST_TOKEN! });
  try {
    const shared = {
      ...process.env,
      FRESCO_TIMINGS: files.timings,
      FRESCO_TRIGGER_STATE: files.triggerState,
      FRESCO_TRIGGER_SWITCHES: files.switches,
    };
    const codes = await Promise.all([
      runLane("functions", shared, jestArgs),
      runLane("direct", { ...shared, ...projectEnv(directProject), REDIS_URL: redis.url, UPSTASH_REDIS_REST_URL: bridge.url }, jestArgs),
    ]);
    writeFileSync(files.lanes, JSON.stringify({ startedAt, endedAt: Date.now() }));
    writeFileSync(files.lateWrite, JSON.stringify(await lateWrite().catch((error: unknown) => ({ error: String(error) }))));
    return Math.max(...codes);
  } finally {
    await bridge.close();
    await redis.stop();
  }
}

const [runDir, ...jestArgs] = process.argv.slice(2);
if (!runDir) throw new Error("usage: tsx tools/stack/lanes.ts <run dir> [jest args...]");
main(runDir, jestArgs).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
