import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/** A child in its own process group, so Ctrl-C reaches it once (through us) and the
 *  whole group (firebase-tools and the Java emulators it starts) can be stopped together. */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return spawn(command, args, { ...options, detached: true });
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
  kill("SIGKILL"); // stragglers that outlived their parent (an emulator JVM) go too
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
