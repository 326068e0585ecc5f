import { Timestamp } from "firebase-admin/firestore";
import type { MirrorDeps, Step } from "../../src/mirror/deps";
import { enqueueOnce } from "../../src/mirror/enqueue";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { projectGeneration } from "../../src/mirror/projection";
import { versionOf } from "../../src/mirror/plan";
import { optimizationFields } from "../../src/mirror/source";
import type { FakeClock } from "../helpers/clock";
import { db } from "../helpers/firestore";

export class InjectedCrash extends Error {
  override name = "InjectedCrash";
}

export function testDeps(clock: FakeClock, workerId: string, extra: Partial<MirrorDeps> = {}): MirrorDeps {
  return { db: db(), workerId, leaseMs: 60_000, now: clock.now, invalidate: async () => undefined, ...extra };
}

/** Crashes (throws InjectedCrash) after a step with probability p. */
export function crashSometimes(chance: (step: Step, taskId: string) => boolean): (step: Step, taskId: string) => void {
  return (step, taskId) => {
    if (chance(step, taskId)) throw new InjectedCrash(`injected crash after ${step}`);
  };
}

/** An afterStep hook that makes a step fail (a plain error: recorded as a failed attempt). */
export function failWhen(
  when: (step: Step, taskId: string) => boolean,
  message = "injected failure",
): (step: Step, taskId: string) => void {
  return (step, taskId) => {
    if (when(step, taskId)) throw new Error(message);
  };
}

let taskCounter = 0;
/** What the trigger does for a write, done by hand while triggers are off. */
export async function enqueueFor(uid: string, historyId: string, op: "upsert" | "update" | "remove" = "update"): Promise<string> {
  const id = `t-${Date.now()}-${taskCounter++}`;
  await enqueueOnce(db(), id, { op, uid, historyId });
  return id;
}

export async function task(id: string) {
  return (await db().collection(mirrorQueue).doc(id).get()).data();
}

/** Why an item's mirror is not the projection of its source, or undefined when it is.
 *  Optimization fields the source lacks may hold any value once seen for that URL. The stored
 *  `sourceVersion` may lag the source's (a write that changed nothing shown is not stored:
 *  src/mirror/write.ts), never lead it. */
export async function mirrorMismatch(
  uid: string,
  historyId: string,
  seenOptimizations?: Map<string, Set<string>>,
): Promise<string | undefined> {
  const [source, mirror] = await Promise.all([db().doc(sourcePath(uid, historyId)).get(), db().doc(mirrorPath(historyId)).get()]);
  const expected = projectGeneration(source.exists ? source.data() : undefined, { uid, historyId }, versionOf(source));
  if (!expected) return mirror.exists ? `mirror of ${historyId} exists but must not` : undefined;
  if (!mirror.exists) return `mirror of ${historyId} is missing`;
  const { mirroredAt, sourceVersion, ...shown } = mirror.data()!;
  if (!(mirroredAt instanceof Timestamp)) return `mirror of ${historyId} has no mirroredAt`;
  if (typeof sourceVersion !== "number" || sourceVersion > expected.sourceVersion)
    return `mirror of ${historyId} has sourceVersion ${String(sourceVersion)}, the source ${expected.sourceVersion}`;
  const actual = { ...shown, sourceVersion: expected.sourceVersion };
  const strip = (media: Array<Record<string, unknown>>, against: Array<Record<string, unknown>>) =>
    media.map((m, i) => {
      const copy = { ...m };
      for (const f of optimizationFields) {
        if (against[i]?.[f] !== undefined) continue; // the source sets it: must match exactly
        const value = copy[f];
        if (value !== undefined && !seenOptimizations?.get(`${m.url}|${f}`)?.has(String(value)))
          return { ...copy, [f]: `UNSEEN:${String(value)}` };
        delete copy[f];
      }
      return copy;
    });
  const normalize = (doc: Record<string, unknown>, against: Record<string, unknown>) => ({
    ...doc,
    images: strip((doc.images as Array<Record<string, unknown>>) ?? [], (against.images as Array<Record<string, unknown>>) ?? []),
    videos: strip((doc.videos as Array<Record<string, unknown>>) ?? [], (against.videos as Array<Record<string, unknown>>) ?? []),
  });
  const a = JSON.stringify(sortKeys(normalize(actual, expected as unknown as Record<string, unknown>)));
  const e = JSON.stringify(
    sortKeys(normalize(expected as unknown as Record<string, unknown>, expected as unknown as Record<string, unknown>)),
  );
  return a === e ? undefined : `mirror of ${historyId} differs:\n  actual   ${a}\n  expected ${e}`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Timestamp) return value.toMillis();
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
