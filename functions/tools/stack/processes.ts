import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const descendants = new WeakMap<ChildProcess, Set<number>>();

/** A child in its own process group, so Ctrl-C reaches it once (through us). firebase-tools
 *  starts each emulator JVM in a process group of its own, and a JVM outlives a
 *  firebase-tools that failed at startup; so every descendant seen is remembered and
 *  stopped with the child. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  const seen = new Set<number>();
  descendants.set(child, seen);
  const record = () => {
    if (child.pid !== undefined) for (const pid of descendantsOf(child.pid)) seen.add(pid);
  };
  const timer = setInterval(record, 1000);
  child.once("exit", () => clearInterval(timer));
  return child;
}

function descendantsOf(root: number): number[] {
  let table: string;
  try {
    table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" });
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const line of table.trim().split("\n")) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid && ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(root);
  return found;
}

export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(1);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

/** Asks the group to stop with `signal`; after `graceMs` kills whatever is left. */
export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGINT", graceMs = 15000): Promise<void> {
  if (child.pid === undefined) return;
  const pid = child.pid;
  const kill = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      /* the group is already gone */
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    kill(signal);
    const timer = setTimeout(() => kill("SIGKILL"), graceMs);
    await exited(child);
    clearTimeout(timer);
  }
  kill("SIGKILL"); // stragglers of the group go too
  for (const pid of descendants.get(child) ?? []) {
    try {
      process.kill(pid, "SIGKILL"); // an emulator JVM in its own group, if it outlived firebase-tools
    } catch {
      /* already gone */
    }
  }
}

/** Polls `check` until it resolves true; no fixed sleeps. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out after ${timeoutMs / 1000}s waiting for ${what}`);
}
