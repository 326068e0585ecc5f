import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { cache } from "../cache";
import { db } from "../shared/firebase";
import { defaultLeaseMs, type MirrorDeps } from "./deps";

/** A unique name for this process in task leases. */
export function newWorkerId(kind: string): string {
  return `${kind}:${process.env.K_REVISION ?? hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The processing core's dependencies inside a deployed function. */
export function functionMirrorDeps(kind: string): MirrorDeps {
  return {
    db: db(),
    workerId: newWorkerId(kind),
    leaseMs: defaultLeaseMs,
    now: Date.now,
    // Through the instance's cache, so it learns of an outage (and replays the outbox before
    // serving again); a deferred bump throws so the mirror's own outbox entry stays too.
    invalidate: async (tags) => {
      if ((await cache().invalidate(tags)) === "deferred") throw new Error("cache invalidation deferred to the outbox");
    },
  };
}
