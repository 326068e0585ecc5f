import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { parseEnv } from "node:util";
import { startRedisServer } from "../redis/redis-server";
import { startUpstashBridge } from "../redis/upstash-bridge";
import { seedDemoArt } from "../demo/art";
import { seedDemoData } from "../demo/seed";
import { s3rverCredentials, startS3Server } from "../media/s3-server";
import { printWelcome } from "./welcome";
import { assertJava, emulatorBinaryEnv } from "./emulator-binaries";
import { emulatorsUsed, firebaseArgs, stackLayout, type StackLayout } from "./layout";
import { cacheDir, chromiumPath, functionsDir, localBridgeToken, repoRoot } from "./paths";
import { assertPortsFree } from "./ports";
import { exited, spawnGroup, stopGroup, waitUntil } from "./processes";
import { freshRunDir, printRunReport, runFiles } from "./run-report";
import { LocalScheduler, schedulesOf, type Schedule } from "./scheduler";

// The Firebase CLI runs on the Node.js 22 of the root package (npm's `node@22`): the
// Functions emulator then runs the functions on the same major as production and says
// "Using node@22 from host." (Its own lookup of functions/node_modules/node stops at the
// node_modules folder in firebase-tools 14, so that one is not used.)
const node22 = join(repoRoot, "node_modules", "node", "bin", "node");
const firebaseCli = join(repoRoot, "node_modules", "firebase-tools", "lib", "bin", "firebase.js");

function firebase(args: string[], env: NodeJS.ProcessEnv) {
  if (!existsSync(node22)) throw new Error(`${node22} is missing: run \`npm ci\` at the repository root (npm start does).`);
  // Everything the CLI starts (jest, benchmarks) finds the same node first on PATH.
  const path = `${dirname(node22)}${delimiter}${env.PATH ?? ""}`;
  return spawnGroup(node22, [firebaseCli, ...args], { cwd: repoRoot, env: { ...env, PATH: path }, stdio: "inherit" });
}

/** The media bucket of the local store (functions/.env's MEDIA_BUCKET). */
const mediaBucket = "fresco-media";

// `npm start` and `npm test`: Redis, the Upstash bridge, the Emulator Suite with the
// functions built and loaded; everything started here is stopped here.
type Mode = "start" | "test" | "exec";

const cleanups: Array<() => Promise<void>> = [];
let stopping: Promise<void> | undefined;

function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error("[fresco] cleanup:", e));
  })();
  return stopping;
}

/** One argument for the shell line `firebase emulators:exec` runs (jest's -t "a name"). */
const shellQuote = (arg: string) => (/^[\w./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: "inherit" });
}

async function startRedisAndBridge(mode: Mode, layout: StackLayout, token: string): Promise<{ redisUrl: string; bridgeUrl: string }> {
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    redisUrl = redis.url;
  }
  const bridge = await startUpstashBridge({
    redisUrl,
    token,
    // Tests and benchmarks take a free port, so they can run beside `npm start`.
    port: mode === "start" ? Number(layout.hosts.bridge.split(":")[1]) : 0,
  });
  cleanups.push(() => bridge.close());
  return { redisUrl, bridgeUrl: bridge.url };
}

/** CREDITS_WEBHOOK_SECRET of this checkout: random, kept in .cache/credits-webhook-secret
 *  (mode 0600), so every stack, its tests and a curl printed by an earlier start agree on it. */
function localWebhookSecret(): string {
  const file = join(cacheDir, "credits-webhook-secret");
  const existing = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (/^whsec_[0-9a-f]{64}$/.test(existing)) return existing;
  mkdirSync(cacheDir, { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}`;
  writeFileSync(temp, `whsec_${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  try {
    // A corrupt one is replaced; a missing one is linked, which fails if another first start
    // put its own in place meanwhile (theirs is kept, so both agree).
    if (existsSync(file)) renameSync(temp, file);
    else linkSync(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    rmSync(temp, { force: true });
  }
  return readFileSync(file, "utf8").trim();
}

/** The Functions emulator reads params from .env.<project> and secrets from .secret.local
 *  (the token and the webhook secret are the same for every stack, so parallel stacks never
 *  disagree on them). */
function writeFunctionsEnv(project: string, bridgeUrl: string, s3Url: string, token: string, webhookSecret: string, mode: string): void {
  const header = "# Written by tools/stack for the emulators on every start; not committed.\n";
  // Artworks' pictures are served by the s3rver itself (it answers GETs without a signature).
  // Values that only work here: loopback stores and the local art renderer (functions/.env holds
  // only what is right in production).
  const env = [
    `UPSTASH_REDIS_REST_URL=${bridgeUrl}`,
    `MEDIA_BUCKET=${mediaBucket}`,
    `MEDIA_S3_ENDPOINT=${s3Url}`,
    `MEDIA_S3_REGION=us-east-1`,
    `ART_IMAGE_BASE_URL=${s3Url}/${mediaBucket}`,
    `ART_PROVIDER=local`,
    // `npm start` keeps functions/.env's production limits. The suites and benchmarks share a
    // few users and one address (127.0.0.1) across hundreds of calls a minute, so they get
    // rates of their own; each limit's own test counts exactly with its own identities (and a
    // Redis deadline for a loaded machine: a check that passes open would miscount).
    ...(mode === "start"
      ? []
      : [
          `LIMIT_WRITES_PER_MINUTE=1000`,
          `LIMIT_COMMENTS_PER_MINUTE=40`,
          `LIMIT_READS_PER_MINUTE=100000`,
          `LIMIT_OWN_READS_PER_MINUTE=100000`,
          `LIMIT_REDIS_TIMEOUT_MS=2000`,
        ]),
  ];
  writeFileSync(join(functionsDir, `.env.${project}`), `${header}${env.join("\n")}\n`);
  // s3rver's fixed credentials: locally the media store is an s3rver on loopback.
  const secrets = [
    `UPSTASH_REDIS_REST_TOKEN=${token}`,
    `MEDIA_S3_ACCESS_KEY_ID=${s3rverCredentials.accessKeyId}`,
    `MEDIA_S3_SECRET_ACCESS_KEY=${s3rverCredentials.secretAccessKey}`,
    `CREDITS_WEBHOOK_SECRET=${webhookSecret}`,
    // Only the openai provider reads it (ART_PROVIDER=openai); locally the art is rendered.
    `ART_PROVIDER_API_KEY=${process.env.ART_PROVIDER_API_KEY ?? "not-set-locally"}`,
  ];
  writeFileSync(join(functionsDir, ".secret.local"), `${header}${secrets.join("\n")}\n`);
}

/** The admin panel (Vite, from the root package) into panel/dist, which the Hosting emulator
 *  serves; it is told where this stack's emulators listen. */
const panelBuild = (layout: StackLayout): Step => ({
  command: join(repoRoot, "node_modules", ".bin", "vite"),
  args: ["build", "--logLevel", "warn", "panel"],
  cwd: repoRoot,
  env: {
    FRESCO_PANEL_EMULATORS: "1",
    FRESCO_PANEL_PROJECT: layout.project,
    FRESCO_PANEL_AUTH_HOST: layout.hosts.auth,
    FRESCO_PANEL_FUNCTIONS_HOST: layout.hosts.functions,
    FRESCO_PANEL_REGION: layout.region,
  },
});

function buildPanel(layout: StackLayout): void {
  console.log("[fresco] building the admin panel");
  const step = panelBuild(layout);
  execFileSync(step.command, step.args, { cwd: step.cwd, stdio: "inherit", env: { ...process.env, ...step.env } });
}

interface Step {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

/** Runs steps one after another with their output held back, then prints it under one header
 *  (several chains run at once in `npm test`). Resolves with the chain's time, or rejects with
 *  its name once every step it ran is printed. */
async function chain(name: string, steps: Step[]): Promise<{ name: string; ms: number }> {
  const started = performance.now();
  let output = "";
  for (const step of steps) {
    const code = await new Promise<number>((resolve) => {
      const child = spawn(step.command, step.args, {
        cwd: step.cwd,
        env: { ...process.env, ...step.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("error", (error) => ((output += `${error.message}\n`), resolve(1)));
      child.once("exit", (code) => resolve(code ?? 1));
    });
    if (code !== 0) {
      console.log(`[fresco] ${name}: failed (${step.command.split("/").pop()} ${step.args.join(" ")})\n${output}`);
      throw new Error(`${name} failed`);
    }
  }
  const ms = performance.now() - started;
  console.log(`[fresco] ${name}: passed in ${(ms / 1000).toFixed(1)} s${output.trim() ? `\n${output.trimEnd()}` : ""}`);
  return { name, ms };
}

const npmScript = (script: string): Step => ({ command: "npm", args: ["run", "--silent", script], cwd: functionsDir });

/** The checks of `npm test`, three chains at once while the emulators start (their start is
 *  mostly waiting on the JVMs): typecheck; lint; the pure lane of jest (test/lanes.js). A
 *  failure stops the run. */
async function checks(jestArgs: string[], timings: string): Promise<Array<{ name: string; ms: number }>> {
  const pure: Step = {
    command: join(functionsDir, "node_modules", ".bin", "jest"),
    args: ["-c", "jest.unit.config.js", "--passWithNoTests", ...jestArgs],
    cwd: functionsDir,
    env: { FRESCO_TIMINGS: timings },
  };
  const results = await Promise.allSettled([
    chain("typecheck", [npmScript("typecheck")]),
    chain("lint", [npmScript("lint")]),
    chain("pure lane", [pure]),
  ]);
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length) throw new Error(failed.map((r) => (r as PromiseRejectedResult).reason.message).join("; "));
  return results.map((r) => (r as PromiseFulfilledResult<{ name: string; ms: number }>).value);
}

/** The emulator has no scheduler: run every scheduled function of the built functions on
 *  its schedule, as production does (time zones that are params come from functions/.env). */
function startScheduler(layout: StackLayout): { stop(): void; schedules: Schedule[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built functions, loaded to read their endpoints
  const functions = require(join(functionsDir, "lib", "index.js")) as Record<string, unknown>;
  // As the emulator reads params: functions/.env, then .env.<project> over it.
  const envFile = (name: string) => (existsSync(join(functionsDir, name)) ? parseEnv(readFileSync(join(functionsDir, name), "utf8")) : {});
  const params = { ...envFile(".env"), ...envFile(`.env.${layout.project}`), ...process.env };
  const schedules = schedulesOf(functions, params);
  const scheduler = new LocalScheduler(layout, schedules, undefined, (line) => console.error(`[fresco] ${line}`));
  scheduler.start();
  return { stop: () => scheduler.stop(), schedules };
}

async function main(mode: Mode, extraArgs: string[]): Promise<number> {
  // The admin panel's tests run in Debian's Chromium: say so now, not after the emulators.
  if (mode === "test" && !existsSync(chromiumPath))
    throw new Error(`${chromiumPath} is missing: the panel's browser tests need it (apt-get install chromium).`);
  assertJava();
  const layout = stackLayout();
  await assertPortsFree(layout.ports.filter((p) => mode === "start" || p.name !== "Upstash REST bridge"));

  // The run's figures (one directory per port offset: stacks on other offsets may run at once).
  const runDir = join(cacheDir, `test-run-${layout.offset}`);
  const phases: Array<{ name: string; ms: number }> = [];
  let checking: Promise<Array<{ name: string; ms: number }>> | undefined;
  if (mode === "test") {
    freshRunDir(runDir);
    phases.push(await chain("build (functions and panel)", [npmScript("build"), panelBuild(layout)]));
    console.log("[fresco] typecheck, lint and the pure lane, while the emulators start");
    checking = checks(extraArgs, runFiles(runDir).timings);
    checking.catch(() => undefined); // awaited below, once the emulators are on their way
  } else {
    console.log("[fresco] building functions");
    run("npm", ["run", "--silent", "build"], functionsDir);
    buildPanel(layout);
  }

  const token = localBridgeToken();
  const { redisUrl, bridgeUrl } = await startRedisAndBridge(mode, layout, token);
  const s3 = await startS3Server(Number(layout.hosts.s3.split(":")[1]), mediaBucket);
  cleanups.push(() => s3.stop());
  const webhookSecret = localWebhookSecret();
  writeFunctionsEnv(layout.project, bridgeUrl, s3.url, token, webhookSecret, mode);
  const env = {
    ...process.env,
    ...layout.env,
    ...emulatorBinaryEnv(),
    FRESCO_PORT_OFFSET: String(layout.offset),
    REDIS_URL: redisUrl,
    UPSTASH_REDIS_REST_URL: bridgeUrl,
    UPSTASH_REDIS_REST_TOKEN: token,
    // The tests sign their webhook events with it (as the Functions emulator checks them).
    CREDITS_WEBHOOK_SECRET: webhookSecret,
  };
  const args = firebaseArgs(layout);
  const only = emulatorsUsed.join(",");

  if (mode !== "start") {
    // test: the direct and functions lanes (tools/stack/lanes.ts); exec: any command
    // (benchmarks); both inside emulators:exec.
    const tsx = join("functions", "node_modules", ".bin", "tsx");
    const script =
      mode === "test"
        ? [tsx, join("functions", "tools", "stack", "lanes.ts"), runDir, ...extraArgs.map(shellQuote)].join(" ")
        : extraArgs.join(" ");
    const execStarted = Date.now();
    const child = firebase(["emulators:exec", ...args, "--only", only, script], env);
    cleanups.push(() => stopGroup(child));
    if (checking) phases.push(...(await checking)); // a failed check stops everything (main's catch)
    const code = await exited(child);
    if (mode === "test") {
      const lanes = existsSync(runFiles(runDir).lanes)
        ? (JSON.parse(readFileSync(runFiles(runDir).lanes, "utf8")) as { startedAt: number; endedAt: number })
        : undefined;
      if (lanes)
        phases.push(
          { name: "emulators start", ms: lanes.startedAt - execStarted },
          { name: "direct and functions lanes", ms: lanes.endedAt - lanes.startedAt },
          { name: "emulators stop", ms: Date.now() - lanes.endedAt },
        );
      printRunReport(runDir, phases);
    }
    return code;
  }

  const child = firebase(["emulators:start", ...args, "--only", only], env);
  cleanups.push(() => stopGroup(child));
  const healthUrl = layout.functionUrl("health");
  await Promise.race([
    waitUntil(async () => (await fetch(healthUrl)).ok, 90_000, "the emulators and the functions to load"),
    exited(child).then((code) => {
      throw new Error(`firebase emulators exited early (code ${code})`);
    }),
  ]);
  Object.assign(process.env, layout.env);
  await seedDemoData();
  const art = await seedDemoArt(layout);
  const scheduler = startScheduler(layout);
  cleanups.push(async () => scheduler.stop());
  printWelcome(layout, { bridgeUrl, redisUrl, s3Url: s3.url }, scheduler.schedules, webhookSecret, art);
  return exited(child);
}

const [mode, ...extraArgs] = process.argv.slice(2) as [Mode, ...string[]];
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (!stopping) console.log(`\n[fresco] ${signal}: stopping everything started here…`);
    void stopAll().then(() => process.exit(130));
  });
}
main(mode, extraArgs)
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(`\n[fresco] ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    process.exit(1);
  });
