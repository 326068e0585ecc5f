/* eslint-disable @typescript-eslint/no-require-imports -- a fresh process per function requires the built entry */
import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * What each deployed function's instance loads before it can answer: a fresh Node process per
 * function requires the built entry module (functions/lib) and reads that one export, as Cloud
 * Functions and the emulator do for FUNCTION_TARGET; it counts the modules loaded and the time.
 * In the same run: a bare firebase-functions + firebase-admin process (the floor) and reading
 * every export (what every instance loaded before exports were lazy, and what discovery loads).
 * Each row is the median of BENCH_COLD_ROUNDS processes (default 3).
 */
const functionsDir = join(__dirname, "..");
const rounds = Number(process.env.BENCH_COLD_ROUNDS ?? 3);

interface Load {
  modules: number;
  ms: number;
  s3: boolean;
  pngjs: boolean;
}

const probe = (body: string) => `
  const t = performance.now();
  ${body}
  const ms = performance.now() - t;
  const keys = Object.keys(require.cache);
  console.log(JSON.stringify({ modules: keys.length, ms, s3: keys.some((k) => k.includes("@aws-sdk")), pngjs: keys.some((k) => k.includes("/pngjs/")) }));`;

function measure(body: string): Load {
  const runs: Load[] = [];
  for (let i = 0; i < rounds; i++) {
    const out = execFileSync(process.execPath, ["-e", probe(body)], {
      cwd: functionsDir,
      env: { ...process.env, GCLOUD_PROJECT: "demo-cold-start", FIREBASE_CONFIG: '{"projectId":"demo-cold-start"}' },
      encoding: "utf8",
    });
    runs.push(JSON.parse(out.trim().split("\n").pop()!) as Load);
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)]!;
}

function main(): void {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: functionsDir, stdio: "inherit" });
  const entry = JSON.stringify(join(functionsDir, "lib", "index.js"));
  const names = Object.keys(require(join(functionsDir, "lib", "index.js")) as object).sort();
  const floor = measure(`require("firebase-functions/https"); require("firebase-admin/firestore");`);
  const all = measure(`const m = require(${entry}); for (const k of Object.keys(m)) void m[k];`);
  const rows = names.map((name) => ({ name, ...measure(`void require(${entry})[${JSON.stringify(name)}];`) }));
  const row = (label: string, l: Load) =>
    `| ${label} | ${l.modules} | ${l.ms.toFixed(0)} | ${(l.ms / floor.ms).toFixed(2)}x | ${l.s3 ? "yes" : "no"} | ${l.pngjs ? "yes" : "no"} |`;
  console.log(
    `\n### Cold start: modules and load time per function (Node ${process.versions.node}, median of ${rounds} fresh processes)\n`,
  );
  console.log("| function | modules loaded | load (ms) | vs the floor | S3 SDK | pngjs |");
  console.log("| --- | ---: | ---: | ---: | --- | --- |");
  console.log(row("floor: firebase-functions/https + firebase-admin/firestore", floor));
  console.log(row("every export read (every instance, before; discovery)", all));
  for (const r of rows.sort((a, b) => b.modules - a.modules)) console.log(row(r.name, r));
}

main();
