import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

/** The files one `npm test` run writes its figures to (under .cache/test-run, made anew). */
export function runFiles(runDir: string) {
  return {
    /** One JSON line a suite (test/helpers/timing-reporter.js). */
    timings: join(runDir, "timings.jsonl"),
    /** "on" or "off": the Functions emulator's background triggers (test/helpers/firestore.ts). */
    triggerState: join(runDir, "trigger-state"),
    /** One JSON line a trigger switch. */
    switches: join(runDir, "switches.jsonl"),
    /** When the lanes started and ended (epoch ms), to split the emulator phase. */
    lanes: join(runDir, "lanes.json"),
    /** What one write costs the Functions emulator at the end of the run (tools/stack/lanes.ts). */
    lateWrite: join(runDir, "late-write.json"),
  };
}

export function freshRunDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

const lines = <T>(file: string): T[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as T)
    : [];

/** One line of test/helpers/timing-reporter.js. */
interface SuiteTiming {
  lane: string;
  suite: string;
  ms: number;
  tests: number;
  failed: number;
  slowest?: Array<{ name: string; ms: number }>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The run's figures: each phase, every suite slowest first, the trigger switches, and what a
 *  late write costs the Functions emulator. */
export function printRunReport(runDir: string, phases: Array<{ name: string; ms: number }>): void {
  const files = runFiles(runDir);
  const suites = lines<SuiteTiming>(files.timings).sort((a, b) => b.ms - a.ms);
  const switches = lines<{ state: string; suite: string; ms: number }>(files.switches);
  const out: string[] = ["", "[fresco] test run figures", "", "| phase | wall time |", "| --- | ---: |"];
  for (const phase of phases) out.push(`| ${phase.name} | ${seconds(phase.ms)} |`);
  out.push("", "| suite | lane | tests | time |", "| --- | --- | ---: | ---: |");
  for (const s of suites) out.push(`| ${s.suite}${s.failed ? " (FAILED)" : ""} | ${s.lane} | ${s.tests} | ${seconds(s.ms)} |`);
  const tests = suites.flatMap((s) => (s.slowest ?? []).map((t) => ({ ...t, suite: s.suite }))).sort((a, b) => b.ms - a.ms);
  out.push("", "| slowest tests (2 s or more) | suite | time |", "| --- | --- | ---: |");
  for (const t of tests.slice(0, 25)) out.push(`| ${t.name.slice(0, 100)} | ${t.suite} | ${seconds(t.ms)} |`);
  const byLane = new Map<string, number>();
  for (const s of suites) byLane.set(s.lane, (byLane.get(s.lane) ?? 0) + s.ms);
  out.push("", `suites per lane (sum of suite times): ${[...byLane].map(([lane, ms]) => `${lane} ${seconds(ms)}`).join(", ")}`);
  const ons = switches.filter((s) => s.state === "on");
  out.push(
    `trigger switches: ${switches.length} (${ons.length} on, each a reload of every function: ${seconds(ons.reduce((t, s) => t + s.ms, 0))} waiting on them)`,
  );
  for (const s of switches)
    out.push(`  ${s.state.padEnd(3)} ${seconds(s.ms).padStart(7)}  ${s.suite ? s.suite.replace(/^.*\/functions\//, "") : ""}`);
  if (existsSync(files.lateWrite)) {
    const late = JSON.parse(readFileSync(files.lateWrite, "utf8")) as { generations?: Record<string, number>; error?: string };
    if (late.generations) {
      const g = late.generations.onGenerationHistoryWritten ?? 0;
      out.push(
        `one late source write: ${g} trigger registrations of onGenerationHistoryWritten, so ${g} requests to the Functions emulator and 1 invocation (the newest generation)`,
      );
    } else out.push(`one late source write: not measured (${late.error})`);
  }
  console.log(out.join("\n"));
}
