#!/usr/bin/env node
// Entry point of `npm start` and `npm test`. Plain Node with no dependencies, because it
// runs before anything is installed: it installs both packages from their lockfiles when
// node_modules is missing or stale, then hands over to the TypeScript dev stack.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];
if (!["start", "test", "unit", "exec", "tool"].includes(mode)) {
  console.error("usage: node tools/run.mjs start | test [jest args] | unit [jest args] | exec <command> | tool <functions/tools path> [args]");
  process.exit(2);
}

const [major] = process.versions.node.split(".").map(Number);
if (major < 20) {
  console.error(`Fresco needs Node.js 20 or newer (this is ${process.versions.node}).`);
  process.exit(1);
}

/** Runs `npm ci` in dir unless node_modules was installed from this exact lockfile.
 *  Both packages install at once: the two downloads overlap and the first start is faster. */
function ensureInstalled(dir) {
  const lock = join(dir, "package-lock.json");
  const stamp = join(dir, "node_modules", ".fresco-lock-sha256");
  const hash = createHash("sha256").update(readFileSync(lock)).digest("hex");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return Promise.resolve();
  const name = dir === root ? "." : "functions/";
  console.log(`[fresco] installing dependencies in ${name} (npm ci)…`);
  return new Promise((resolve) => {
    const child = spawn("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
    child.on("exit", (code) => {
      if (code !== 0) {
        console.error(`[fresco] npm ci failed in ${name} (exit ${code})`);
        process.exit(code ?? 1);
      }
      writeFileSync(stamp, hash);
      resolve();
    });
  });
}

await Promise.all([ensureInstalled(root), ensureInstalled(join(root, "functions"))]);

const bin = (name) => join(root, "functions", "node_modules", ".bin", name);
// `unit` is the fast lane (no emulator); `tool` runs a dev tool as is (it talks to whatever is
// running); the rest go through the stack.
const [command, args, cwd] =
  mode === "unit"
    ? [bin("jest"), ["-c", "jest.unit.config.js", ...process.argv.slice(3)], join(root, "functions")]
    : mode === "tool"
      ? [bin("tsx"), [join(root, "functions", "tools", `${process.argv[3]}.ts`), ...process.argv.slice(4)], root]
      : [bin("tsx"), [join(root, "functions", "tools", "stack", "main.ts"), mode, ...process.argv.slice(3)], root];
const child = spawn(command, args, { cwd, stdio: "inherit" });
// The stack handles Ctrl-C itself (it has processes to stop); this wrapper only waits for it.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
