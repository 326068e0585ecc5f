import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { cache } from "../cache/instance";
import { db } from "../shared/firebase";
import { defaultLeaseMs, type MirrorDeps } from "./deps";

/** A unique name for this process in task leases. */
export function newWorkerId(kind: string): string {
  return `${kind}:${process.env.K_REVISION ?? hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The processing core's dependencies inside a deployed function. The bump goes through the
 *  instance's cache, so a failure also tells it to catch up before serving entries again
 *  (the mirror's own outbox entry keeps the tags). */
export function functionMirrorDeps(kind: string): MirrorDeps {
  return { db: db(), workerId: newWorkerId(kind), leaseMs: defaultLeaseMs, now: Date.now, invalidate: (tags) => cache().bump(tags) };
}
