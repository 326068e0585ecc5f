// `npm run mirror:rebuild [-- --uid U]`: re-projects all history (or one user's) into the
// public mirror, removes mirror documents that must not exist, and bumps the cache tags of
// what changed; a score without a fingerprint is adopted on the way (src/mirror/plan.ts).
// `npm run migrate` is the same run for adopting the existing platform: it first prints what
// it would change (a dry run over everything left to do), then changes it. Resumable from any
// machine: the cursor is saved in Firestore after every page
// (maintenanceCursors/mirror-rebuild-<scope>); Ctrl-C stops after the current page.
import type { Firestore } from "firebase-admin/firestore";
import { format, parseArgs } from "node:util";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import { upstashClient } from "../../src/cache/upstash";
import { bumpTags } from "../../src/cache/tag-versions";
import type { Cursor, RebuildCounts, RebuildPhase, RebuildResult } from "../../src/mirror/rebuild";
import { withTimeout } from "../../src/shared/timeout";
import { useEmulators } from "../demo/emulator-env";
import { productionTarget } from "../deploy/project";
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
(generations), adopts scores stored without a fingerprint, removes mirror documents whose
source is private, deleted, malformed or gone, and invalidates the cache tags of what
changed. Resumes where an interrupted run stopped (checkpoint in Firestore:
maintenanceCursors/mirror-rebuild-<uid|all>). \`npm run migrate\` prints the dry run's
counts first, then runs.

Options:
  --uid U            only this user's items and mirror documents
  --restart          ignore a saved checkpoint and start from the beginning
  --dry-run          count what it would change, change nothing
  --page-size N      documents read per page (default ${defaults.pageSize})
  --concurrency N    items synced at once (default ${defaults.concurrency})
  --project ID       the real project (application default credentials; the Upstash
                     URL from functions/.env.ID, the token from UPSTASH_REDIS_REST_TOKEN)
                     instead of the local emulators of \`npm start\`
  --verbose          show info logs
  -h, --help         this help`;

interface CliOptions {
  uid?: string;
  restart: boolean;
  dryRun: boolean;
  /** `npm run migrate`: the dry run's counts first, then the run. */
  migrate: boolean;
  pageSize: number;
  concurrency: number;
  project?: string;
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
        "dry-run": { type: "boolean", default: false },
        migrate: { type: "boolean", default: false },
        "page-size": { type: "string" },
        concurrency: { type: "string" },
        project: { type: "string" },
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
    dryRun: parsed["dry-run"],
    migrate: parsed.migrate,
    pageSize: positive("page-size", parsed["page-size"], defaults.pageSize, 1000),
    concurrency: positive("concurrency", parsed.concurrency, defaults.concurrency, 500),
    ...(parsed.project === undefined ? {} : { project: parsed.project }),
    verbose: parsed.verbose,
  };
}

// ---------------------------------------------------------------------------------------
// Target: the local emulators (default) or production

interface Target {
  description: string;
  redisUrl: string;
  redisToken: string;
}

async function chooseTarget(projectId: string | undefined): Promise<Target> {
  if (projectId !== undefined) {
    let target;
    try {
      target = productionTarget(projectId);
    } catch (error) {
      throw new SetupError(error instanceof Error ? error.message : String(error));
    }
    return {
      description: `PRODUCTION project ${projectId}`,
      redisUrl: target.redis.url,
      redisToken: target.redis.token,
    };
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
    throw new SetupError(`the Firestore emulator is not answering at ${host}: start the stack with \`npm start\` (or pass --project <id>)`);
  return {
    description: `emulators (Firestore ${host}, project ${process.env.GCLOUD_PROJECT})`,
    redisUrl: toolRedisSettings(false)!.url,
    redisToken: toolRedisSettings(false)!.token,
  };
}

// ---------------------------------------------------------------------------------------
// Checkpoint file

interface Checkpoint {
  version: 1;
  uid: string | null;
  cursor: Cursor;
  /** Counts of the earlier (interrupted) runs, added to this run's in the summary. */
  counts: Record<RebuildPhase, RebuildCounts>;
  runs: number;
  startedAt: string;
  savedAt: string;
}

/** The checkpoint lives in the database it is about, so any machine resumes it and it can
 *  never be resumed against another project. */
const checkpointId = (uid: string | undefined) => `mirror-rebuild-${uid === undefined ? "all" : encodeURIComponent(uid)}`;

async function readCheckpoint(firestore: Firestore, collection: string, id: string): Promise<Checkpoint | undefined> {
  const value = (await firestore.collection(collection).doc(id).get()).get("checkpoint") as Checkpoint | undefined;
  if (value === undefined) return undefined;
  if (value.version !== 1 || (value.cursor?.phase !== "sources" && value.cursor?.phase !== "mirror"))
    throw new SetupError(`the checkpoint ${collection}/${id} has an unknown format: pass --restart to start over`);
  return { ...value, counts: { sources: { ...zero(), ...value.counts.sources }, mirror: { ...zero(), ...value.counts.mirror } } };
}

const zero = (): RebuildCounts => ({ scanned: 0, written: 0, removed: 0, unchanged: 0, invalid: 0, errors: 0, adopted: 0 });
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
  const { maintenanceCursors } = await import("../../src/maintenance/cursors");
  const { mirrorQueue } = await import("../../src/mirror/paths");
  const { db } = await import("../../src/shared/firebase");
  const defaults = { pageSize: defaultPageSize, concurrency: defaultConcurrency };
  const options = parseOptions(argv, defaults);
  if (options === "help") {
    console.log(usage(defaults));
    return 0;
  }
  output.verbose = options.verbose;
  const target = await chooseTarget(options.project);
  const firestore = db();
  const checkpointRef = firestore.collection(maintenanceCursors).doc(checkpointId(options.uid));
  const where = `${maintenanceCursors}/${checkpointRef.id}`;
  const scope = options.uid === undefined ? "all users" : `user ${options.uid}`;
  const command = options.migrate ? "npm run migrate" : "npm run mirror:rebuild";
  const resumeArgs = [
    ...(options.uid === undefined ? [] : ["--uid", options.uid]),
    ...(options.project === undefined ? [] : ["--project", options.project]),
  ];
  const resumeCommand = `${command}${resumeArgs.length > 0 ? ` -- ${resumeArgs.join(" ")}` : ""}`;

  if (options.restart && !options.dryRun) await checkpointRef.delete();
  const saved = options.restart ? undefined : await readCheckpoint(firestore, maintenanceCursors, checkpointRef.id);
  if (saved && saved.uid !== (options.uid ?? null))
    throw new SetupError(`${where} is a checkpoint for ${saved.uid ?? "all users"}, not ${scope}: pass --restart to start over`);
  console.log(`[rebuild] ${scope} on ${target.description}${options.dryRun ? " (dry run: nothing is written)" : ""}`);
  if (saved)
    console.log(
      `[rebuild] resuming from ${where}: phase ${saved.cursor.phase}${saved.cursor.lastPath ? ` after ${saved.cursor.lastPath}` : ""}`,
    );

  const redis = upstashClient(target.redisUrl, target.redisToken);
  const redisUp =
    options.dryRun ||
    (await withTimeout(redis.ping(), 2000, "Redis ping").then(
      () => true,
      () => false,
    ));
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

  const earlier = saved?.counts ?? { sources: zero(), mirror: zero() };
  const startedAt = saved?.startedAt ?? new Date().toISOString();
  const runs = (saved?.runs ?? 0) + 1;
  const cumulative = (phases: Record<RebuildPhase, RebuildCounts>) => ({
    sources: add(earlier.sources, phases.sources),
    mirror: add(earlier.mirror, phases.mirror),
  });
  const save = (cursor: Cursor, phases: Record<RebuildPhase, RebuildCounts>) =>
    checkpointRef.set({
      checkpoint: {
        version: 1,
        uid: options.uid ?? null,
        cursor,
        counts: cumulative(phases),
        runs,
        startedAt,
        savedAt: new Date().toISOString(),
      } satisfies Checkpoint,
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

  /** One pass over what is left (from the checkpoint), with a progress bar. */
  const pass = async (dryRun: boolean): Promise<RebuildResult> => {
    const progress = new Progress();
    const shift = (phases: Record<RebuildPhase, RebuildCounts>) => (dryRun ? phases : cumulative(phases));
    try {
      const first = await measure(saved?.cursor ?? { phase: "sources" });
      progress.startPhase(
        saved?.cursor.phase ?? "sources",
        first.total,
        first.start,
        dryRun ? zero() : earlier[saved?.cursor.phase ?? "sources"],
      );
      let shownPhase: RebuildPhase = saved?.cursor.phase ?? "sources";
      const showPhase = async (cursor: Cursor, phases: Record<RebuildPhase, RebuildCounts>) => {
        if (cursor.phase === shownPhase) return;
        shownPhase = cursor.phase;
        const next = await measure(cursor);
        progress.startPhase(cursor.phase, next.total, next.start, shift(phases)[cursor.phase]);
      };
      const result = await rebuildMirror(
        { db: firestore, invalidate, now: Date.now },
        {
          ...(options.uid === undefined ? {} : { uid: options.uid }),
          pageSize: options.pageSize,
          concurrency: options.concurrency,
          ...(saved ? { resumeFrom: saved.cursor } : {}),
          signal: controller.signal,
          dryRun,
          onProgress: (p) => {
            if (p.phase !== shownPhase) void showPhase({ phase: p.phase }, p.phases);
            progress.update(p.phase, p.processed, shift(p.phases)[p.phase]);
          },
          onCheckpoint: async (cursor, phases) => {
            await save(cursor, phases);
            await showPhase(cursor, phases);
          },
        },
      );
      progress.stop(!result.aborted);
      return result;
    } catch (error) {
      progress.stop(false);
      throw error;
    }
  };

  const began = Date.now();
  if (options.dryRun || options.migrate) {
    let survey: RebuildResult;
    try {
      survey = await pass(true);
    } catch (error) {
      console.error(`\n[rebuild] the dry run failed: ${error instanceof Error ? error.message : String(error)}.`);
      return 1;
    }
    const queued = (await firestore.collection(mirrorQueue).where("status", "in", ["pending", "failed", "processing"]).count().get()).data()
      .count;
    console.log(`\n[rebuild] what ${options.dryRun ? "a run" : "this run"} would change${saved ? " (from the checkpoint on)" : ""}:`);
    printSummary(survey.phases, 0, survey.failures, (Date.now() - began) / 1000);
    console.log(`[rebuild] mirror tasks still to run (old or new format; the sweeper takes them): ${queued}`);
    if (options.dryRun || survey.aborted) return survey.aborted ? 130 : 0;
    console.log("\n[rebuild] now changing it");
  }

  let result: RebuildResult;
  try {
    result = await pass(false);
  } catch (error) {
    const kept = (await checkpointRef.get()).exists ? ` The checkpoint in ${where} is kept: run \`${resumeCommand}\` to resume.` : "";
    console.error(`\n[rebuild] failed: ${error instanceof Error ? error.message : String(error)}.${kept}`);
    return 1;
  }
  const totals = cumulative(result.phases);
  const seconds = (Date.now() - began) / 1000;

  if (result.aborted) {
    await save(result.cursor!, result.phases);
    printSummary(totals, runs - 1, result.failures, seconds);
    const at = result.cursor!.lastPath ? ` after ${result.cursor!.lastPath}` : "";
    console.log(`\n[rebuild] interrupted in phase ${result.cursor!.phase}${at}; checkpoint saved in ${where}.`);
    console.log(`[rebuild] resume with: ${resumeCommand}   (or add --restart to start over)`);
    return 130;
  }
  await checkpointRef.delete();
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
