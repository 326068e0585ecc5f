// `npm run mirror:rebuild [-- --uid U]`: re-projects all history (or one user's) into the
// public mirror, removes mirror documents that must not exist, and bumps the cache tags of
// what changed. Resumable: the cursor is saved after every page in
// .cache/mirror-rebuild-<scope>.json; Ctrl-C stops after the current page.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { format, parseArgs } from "node:util";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import { upstashClient } from "../../src/cache/upstash";
import { bumpTags } from "../../src/cache/tag-versions";
import type { Cursor, RebuildCounts, RebuildPhase, RebuildResult } from "../../src/mirror/rebuild";
import { withTimeout } from "../../src/shared/timeout";
import { useEmulators } from "../demo/emulator-env";
import { cacheDir, repoRoot } from "../stack/paths";
import { toolRedisSettings } from "../redis/tool-settings";

// ---------------------------------------------------------------------------------------
// Console routing. firebase-functions/logger keeps the console methods it finds when it is
// loaded, so this is installed first and the modules that log are imported later (main).
// Logger lines become readable one-liners, info/debug show only with --verbose, and while
// the progress bar is on, every line is printed above it instead of across it.

const levels = ["debug", "info", "log", "warn", "error"] as const;
type Level = (typeof levels)[number];
const terminal = Object.fromEntries(levels.map((level) => [level, console[level].bind(console)])) as Record<Level, (line: string) => void>;
const output: { verbose: boolean; above?: (line: string) => void } = { verbose: false };

/** `{"severity":"WARNING","message":"m",...}` (a logger entry) as `warning: m {...}`, shortened. */
function readable(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const { severity, message, ...rest } = JSON.parse(line) as Record<string, unknown>;
    if (typeof severity !== "string" || typeof message !== "string") return line;
    const details = JSON.stringify(rest);
    return `${severity.toLowerCase()}: ${message}${details === "{}" ? "" : ` ${details.length > 300 ? `${details.slice(0, 300)}…` : details}`}`;
  } catch {
    return line;
  }
}

for (const level of levels) {
  console[level] = (...args: unknown[]) => {
    if ((level === "debug" || level === "info") && !output.verbose) return;
    const line = readable(format(...args));
    if (output.above) output.above(line);
    else terminal[level](line);
  };
}

const usage = (defaults: { pageSize: number; concurrency: number }) => `Usage: npm run mirror:rebuild [-- options]

Re-projects every generationHistory item (or one user's) into the public mirror
(generations), removes mirror documents whose source is private, deleted, malformed or
gone, and invalidates the cache tags of what changed. Resumes where an interrupted run
stopped (checkpoint in .cache/mirror-rebuild-<uid|all>.json).

Options:
  --uid U            only this user's items and mirror documents
  --restart          ignore a saved checkpoint and start from the beginning
  --page-size N      documents read per page (default ${defaults.pageSize})
  --concurrency N    items synced at once (default ${defaults.concurrency})
  --production       use the real project (GCLOUD_PROJECT + application default
                     credentials, UPSTASH_REDIS_REST_URL/TOKEN) instead of the local
                     emulators of \`npm start\`
  --verbose          show info logs
  -h, --help         this help`;

interface CliOptions {
  uid?: string;
  restart: boolean;
  pageSize: number;
  concurrency: number;
  production: boolean;
  verbose: boolean;
}

/** A bad command line: exit 2 with a pointer to --help. */
class UsageError extends Error {}
/** Something to fix before running (no emulator, missing settings): printed alone, exit 2. */
class SetupError extends Error {}

function parseOptions(argv: string[], defaults: { pageSize: number; concurrency: number }): CliOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        uid: { type: "string" },
        restart: { type: "boolean", default: false },
        "page-size": { type: "string" },
        concurrency: { type: "string" },
        production: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (parsed.help) return "help";
  const positive = (name: string, value: string | undefined, fallback: number, max: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max} (got "${value}")`);
    return n;
  };
  if (parsed.uid !== undefined && (parsed.uid.length === 0 || parsed.uid.includes("/")))
    throw new UsageError(`--uid must be a user id (got "${parsed.uid}")`);
  return {
    ...(parsed.uid === undefined ? {} : { uid: parsed.uid }),
    restart: parsed.restart,
    pageSize: positive("page-size", parsed["page-size"], defaults.pageSize, 1000),
    concurrency: positive("concurrency", parsed.concurrency, defaults.concurrency, 500),
    production: parsed.production,
    verbose: parsed.verbose,
  };
}

// ---------------------------------------------------------------------------------------
// Target: the local emulators (default) or production

interface Target {
  /** Names the database, so a checkpoint is never resumed against another one. */
  id: string;
  description: string;
  redisUrl: string;
  redisToken: string;
}

async function chooseTarget(production: boolean): Promise<Target> {
  if (production) {
    if (process.env.FIRESTORE_EMULATOR_HOST) {
      throw new SetupError(
        `--production, but FIRESTORE_EMULATOR_HOST=${process.env.FIRESTORE_EMULATOR_HOST} would send every write to an emulator: unset it`,
      );
    }
    const project = process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT;
    if (!project)
      throw new SetupError("--production needs the project: set GCLOUD_PROJECT (credentials: gcloud auth application-default login)");
    process.env.GCLOUD_PROJECT = project;
    const redis = toolRedisSettings(true);
    if (!redis) throw new SetupError("--production needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN to invalidate the cache");
    return { id: `production:${project}`, description: `PRODUCTION project ${project}`, redisUrl: redis.url, redisToken: redis.token };
  }
  // The stack of `npm start` (shifted by FRESCO_PORT_OFFSET), unless the environment
  // already names the emulators (firebase emulators:exec).
  useEmulators();
  const host = process.env.FIRESTORE_EMULATOR_HOST!;
  const reachable = await withTimeout(fetch(`http://${host}/`), 2000, "Firestore emulator").then(
    (r) => r.ok,
    () => false,
  );
  if (!reachable)
    throw new SetupError(`the Firestore emulator is not answering at ${host}: start the stack with \`npm start\` (or pass --production)`);
  return {
    id: `emulator:${host}/${process.env.GCLOUD_PROJECT}`,
    description: `emulators (Firestore ${host}, project ${process.env.GCLOUD_PROJECT})`,
    redisUrl: toolRedisSettings(false)!.url,
    redisToken: toolRedisSettings(false)!.token,
  };
}

// ---------------------------------------------------------------------------------------
// Checkpoint file

interface Checkpoint {
  version: 1;
  target: string;
  uid: string | null;
  cursor: Cursor;
  /** Counts of the earlier (interrupted) runs, added to this run's in the summary. */
  counts: Record<RebuildPhase, RebuildCounts>;
  runs: number;
  startedAt: string;
  savedAt: string;
}

const checkpointPath = (uid: string | undefined) =>
  join(cacheDir, `mirror-rebuild-${uid === undefined ? "all" : encodeURIComponent(uid)}.json`);

function readCheckpoint(path: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as Checkpoint;
    if (value.version !== 1 || (value.cursor?.phase !== "sources" && value.cursor?.phase !== "mirror")) throw new Error("unknown format");
    return value;
  } catch (error) {
    throw new SetupError(`cannot read the checkpoint ${relative(repoRoot, path)} (${String(error)}): pass --restart to start over`);
  }
}

function writeCheckpoint(path: string, checkpoint: Checkpoint): void {
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(tmp, path); // atomic: a crash mid-write never leaves half a checkpoint
}

const zero = (): RebuildCounts => ({ scanned: 0, written: 0, removed: 0, unchanged: 0, invalid: 0, errors: 0 });
const countKeys = Object.keys(zero()) as Array<keyof RebuildCounts>;

const describe = (counts: RebuildCounts) =>
  countKeys
    .slice(1)
    .map((k) => `${k} ${counts[k]}`)
    .join(", ");

function add(a: RebuildCounts, b: RebuildCounts): RebuildCounts {
  return Object.fromEntries(countKeys.map((k) => [k, a[k] + b[k]])) as unknown as RebuildCounts;
}

// ---------------------------------------------------------------------------------------
// Progress display: a bar per phase on a terminal, a line every few seconds otherwise

class Progress {
  private readonly multibar: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private phase: RebuildPhase | undefined;
  private start = 0;
  private total = 0;
  private lastLine = 0;
  private counts: RebuildCounts | undefined;

  constructor() {
    if (process.stderr.isTTY) {
      this.multibar = new MultiBar(
        {
          format:
            "{phase} |{bar}| {percentage}% {value}/{total} | written {written}, removed {removed}, invalid {invalid}, errors {errors} | ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: false,
          etaBuffer: 200,
        },
        Presets.shades_classic,
      );
      output.above = (line) => this.multibar!.log(`${line}\n`);
    }
  }

  startPhase(phase: RebuildPhase, total: number, start: number, counts: RebuildCounts): void {
    this.finishPhase();
    this.phase = phase;
    this.start = start;
    this.total = Math.max(total, start);
    const label = phase === "sources" ? "1/2 sources" : "2/2 mirror ";
    if (this.multibar) this.bar = this.multibar.create(this.total, start, { phase: label, ...counts });
    else console.log(`[rebuild] phase ${label.trim()}: ${this.total} documents${start > 0 ? `, resuming after ${start}` : ""}`);
  }

  update(phase: RebuildPhase, processed: number, counts: RebuildCounts): void {
    if (phase !== this.phase) return;
    const value = this.start + processed;
    if (value > this.total) {
      this.total = value; // documents added since the count
      this.bar?.setTotal(value);
    }
    this.counts = counts;
    if (this.bar) {
      this.bar.update(value, counts);
    } else if (Date.now() - this.lastLine > 2000) {
      this.lastLine = Date.now();
      console.log(`[rebuild] ${phase}: ${value}/${this.total}, ${describe(counts)}`);
    }
  }

  private finishPhase(): void {
    if (this.bar) this.bar.update(this.bar.getTotal());
    else if (this.phase && this.counts) console.log(`[rebuild] ${this.phase}: done, ${describe(this.counts)}`);
  }

  stop(completed: boolean): void {
    if (completed) this.finishPhase();
    if (this.multibar) {
      this.multibar.update(); // flushes lines logged since the last redraw
      this.multibar.stop();
    }
    delete output.above;
  }
}

// ---------------------------------------------------------------------------------------

function printSummary(
  phases: Record<RebuildPhase, RebuildCounts>,
  earlierRuns: number,
  failures: RebuildResult["failures"],
  seconds: number,
): void {
  const rows: Array<[string, RebuildCounts]> = [
    ["sources", phases.sources],
    ["mirror", phases.mirror],
    ["total", add(phases.sources, phases.mirror)],
  ];
  const width = 10;
  console.log(`\n${"".padEnd(8)}${countKeys.map((k) => k.padStart(width)).join("")}`);
  for (const [name, counts] of rows) console.log(`${name.padEnd(8)}${countKeys.map((k) => String(counts[k]).padStart(width)).join("")}`);
  const earlier = earlierRuns > 0 ? ` (counts include ${earlierRuns} earlier interrupted run${earlierRuns > 1 ? "s" : ""})` : "";
  console.log(
    `\nTook ${seconds.toFixed(1)} s${earlier}. sources = history items; mirror = mirror documents checked for orphans after phase 1.`,
  );
  if (failures.length > 0) {
    console.log(`\nErrors (${failures.length}${failures.length >= 100 ? "+" : ""}):`);
    for (const f of failures.slice(0, 20)) console.log(`  ${f.path}: ${f.error}`);
    if (failures.length > 20) console.log(`  … ${failures.length - 20} more in the logs above`);
  }
}

async function main(argv: string[]): Promise<number> {
  // Loaded only now: they load firebase-functions/logger (see the console routing above).
  const { defaultConcurrency, defaultPageSize, mirrorQuery, rebuildMirror, sourceQuery } = await import("../../src/mirror/rebuild");
  const { db } = await import("../../src/shared/firebase");
  const defaults = { pageSize: defaultPageSize, concurrency: defaultConcurrency };
  const options = parseOptions(argv, defaults);
  if (options === "help") {
    console.log(usage(defaults));
    return 0;
  }
  output.verbose = options.verbose;
  const target = await chooseTarget(options.production);
  const path = checkpointPath(options.uid);
  const scope = options.uid === undefined ? "all users" : `user ${options.uid}`;
  const resumeArgs = [...(options.uid === undefined ? [] : ["--uid", options.uid]), ...(options.production ? ["--production"] : [])];
  const resumeCommand = `npm run mirror:rebuild${resumeArgs.length > 0 ? ` -- ${resumeArgs.join(" ")}` : ""}`;

  const saved = options.restart ? undefined : readCheckpoint(path);
  if (saved && (saved.target !== target.id || saved.uid !== (options.uid ?? null))) {
    throw new SetupError(
      `${relative(repoRoot, path)} is a checkpoint for ${saved.target} (${saved.uid ?? "all users"}), not ${target.id}: pass --restart to start over`,
    );
  }
  if (options.restart && existsSync(path)) rmSync(path);
  console.log(`[rebuild] ${scope} on ${target.description}`);
  if (saved)
    console.log(
      `[rebuild] resuming from ${relative(repoRoot, path)}: phase ${saved.cursor.phase}${saved.cursor.lastPath ? ` after ${saved.cursor.lastPath}` : ""}`,
    );

  const redis = upstashClient(target.redisUrl, target.redisToken);
  const redisUp = await withTimeout(redis.ping(), 2000, "Redis ping").then(
    () => true,
    () => false,
  );
  if (!redisUp)
    console.log(
      `[rebuild] Redis is not answering at ${target.redisUrl}: cache invalidations stay in the cacheInvalidations outbox for sweepMirrorQueue to replay`,
    );
  let deferredBatches = 0;
  const invalidate = async (tags: string[]) => {
    try {
      await bumpTags(redis, tags);
    } catch (error) {
      deferredBatches++;
      throw error; // flushInvalidations keeps the outbox entries
    }
  };

  const firestore = db();
  const earlier = saved?.counts ?? { sources: zero(), mirror: zero() };
  const startedAt = saved?.startedAt ?? new Date().toISOString();
  const runs = (saved?.runs ?? 0) + 1;
  const cumulative = (phases: Record<RebuildPhase, RebuildCounts>) => ({
    sources: add(earlier.sources, phases.sources),
    mirror: add(earlier.mirror, phases.mirror),
  });
  const save = (cursor: Cursor, phases: Record<RebuildPhase, RebuildCounts>) =>
    writeCheckpoint(path, {
      version: 1,
      target: target.id,
      uid: options.uid ?? null,
      cursor,
      counts: cumulative(phases),
      runs,
      startedAt,
      savedAt: new Date().toISOString(),
    });

  /** The documents of a phase (progress bar total), and how many lie before the cursor. */
  const measure = async (cursor: Cursor) => {
    const query = cursor.phase === "sources" ? sourceQuery(firestore, options.uid) : mirrorQuery(firestore, options.uid);
    const [all, before] = await Promise.all([
      query.count().get(),
      cursor.lastPath === undefined ? undefined : query.endAt(firestore.doc(cursor.lastPath)).count().get(),
    ]);
    return { total: all.data().count, start: before?.data().count ?? 0 };
  };

  const controller = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // One Ctrl-C can arrive up to three times (terminal, npm wrapper, tsx relay): count it once.
    if (firstSignalAt > 0 && Date.now() - firstSignalAt > 1500) {
      console.error(`\n[rebuild] ${signal} again: exiting now. The last finished page is checkpointed; resume with: ${resumeCommand}`);
      process.exit(130);
    }
    if (firstSignalAt > 0) return;
    firstSignalAt = Date.now();
    console.error(`\n[rebuild] ${signal}: stopping after the current page… (again to exit at once)`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const progress = new Progress();
  const began = Date.now();
  let result: RebuildResult;
  try {
    const first = await measure(saved?.cursor ?? { phase: "sources" });
    progress.startPhase(saved?.cursor.phase ?? "sources", first.total, first.start, earlier[saved?.cursor.phase ?? "sources"]);
    let shownPhase: RebuildPhase = saved?.cursor.phase ?? "sources";
    result = await rebuildMirror(
      { db: firestore, invalidate, now: Date.now },
      {
        ...(options.uid === undefined ? {} : { uid: options.uid }),
        pageSize: options.pageSize,
        concurrency: options.concurrency,
        ...(saved ? { resumeFrom: saved.cursor } : {}),
        signal: controller.signal,
        onProgress: (p) => progress.update(p.phase, p.processed, cumulative(p.phases)[p.phase]),
        onCheckpoint: async (cursor, phases) => {
          save(cursor, phases);
          if (cursor.phase !== shownPhase) {
            shownPhase = cursor.phase;
            const next = await measure(cursor);
            progress.startPhase(cursor.phase, next.total, next.start, cumulative(phases)[cursor.phase]);
          }
        },
      },
    );
  } catch (error) {
    progress.stop(false);
    const kept = existsSync(path) ? ` The checkpoint in ${relative(repoRoot, path)} is kept: run \`${resumeCommand}\` to resume.` : "";
    console.error(`\n[rebuild] failed: ${error instanceof Error ? error.message : String(error)}.${kept}`);
    return 1;
  }
  progress.stop(!result.aborted);
  const totals = cumulative(result.phases);
  const seconds = (Date.now() - began) / 1000;

  if (result.aborted) {
    save(result.cursor!, result.phases);
    printSummary(totals, runs - 1, result.failures, seconds);
    const where = result.cursor!.lastPath ? ` after ${result.cursor!.lastPath}` : "";
    console.log(`\n[rebuild] interrupted in phase ${result.cursor!.phase}${where}; checkpoint saved in ${relative(repoRoot, path)}.`);
    console.log(`[rebuild] resume with: ${resumeCommand}   (or add --restart to start over)`);
    return 130;
  }
  rmSync(path, { force: true });
  printSummary(totals, runs - 1, result.failures, seconds);
  if (deferredBatches > 0) {
    console.log(
      `\n[rebuild] ${deferredBatches} cache invalidation batch(es) could not reach Redis at ${target.redisUrl}; they wait in the cacheInvalidations outbox for sweepMirrorQueue.`,
    );
  }
  const errors = totals.sources.errors + totals.mirror.errors;
  console.log(
    errors > 0 ? `\n[rebuild] done with ${errors} error(s); fix them and run again (a rebuild is safe to repeat).` : "\n[rebuild] done.",
  );
  return errors > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`[rebuild] ${error.message}\n\nRun with --help for the options.`);
      process.exit(2);
    }
    if (error instanceof SetupError) {
      console.error(`[rebuild] ${error.message}`);
      process.exit(2);
    }
    console.error("[rebuild]", error);
    process.exit(1);
  },
);
