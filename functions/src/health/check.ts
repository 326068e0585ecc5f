import type { Firestore } from "firebase-admin/firestore";
import type { Redis } from "@upstash/redis";
import { redisKeys } from "../cache/keys";
import { withTimeout } from "../shared/timeout";
import { frescoVersion } from "../shared/version";

export interface DependencyStatus {
  ok: boolean;
  latencyMs: number;
  error?: string;
}
export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  /** The Node.js runtime the functions run on, as firebase.json names it (e.g. nodejs22). */
  runtime: string;
  firestore: DependencyStatus;
  redis: DependencyStatus;
  checkedAt: string;
}

const probeTimeoutMs = 2000;

async function probe(what: string, work: () => Promise<void>): Promise<DependencyStatus> {
  const started = performance.now();
  try {
    await withTimeout(work(), probeTimeoutMs, what);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // Only the error's class goes out: health is public and must not leak internals.
    const kind = error instanceof Error ? error.name : "Error";
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: kind };
  }
}

/** Whether Firestore answers a read and Redis a write-then-read, with each latency. */
export async function checkHealth(deps: { db: Firestore; redis: Redis }): Promise<HealthReport> {
  const [firestore, redis] = await Promise.all([
    probe("firestore", async () => {
      await deps.db.collection("health").doc("probe").get();
    }),
    probe("redis", async () => {
      const token = `${Date.now()}-${Math.random()}`;
      await deps.redis.set(redisKeys.healthProbe, token, { ex: 60 });
      const read = await deps.redis.get<string>(redisKeys.healthProbe);
      if (read === null) throw new Error("redis lost the probe value");
    }),
  ]);
  return {
    status: firestore.ok && redis.ok ? "ok" : "degraded",
    version: frescoVersion,
    runtime: `nodejs${process.versions.node.split(".")[0]}`,
    firestore,
    redis,
    checkedAt: new Date().toISOString(),
  };
}
