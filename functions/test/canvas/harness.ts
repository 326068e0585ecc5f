import { FieldPath, Timestamp, type DocumentReference } from "firebase-admin/firestore";
import type { JobDeps } from "../../src/maintenance/job";
import type { CanvasSettings } from "../../src/canvas/config";
import {
  elementPath,
  opPath,
  projectPath,
  replayOps,
  snapshotsCollection,
  type CanvasElement,
  type CanvasOp,
  type CanvasOpInput,
} from "../../src/canvas/model";
import type { UploadStore } from "../../src/canvas/media/uploads";
import { applyCanvasOps, createCanvasProject, snapshotDueAt } from "../../src/canvas/ops";
import type { FakeClock } from "../helpers/clock";
import { db } from "../helpers/firestore";
import type { prng } from "../helpers/random";

export type Rng = ReturnType<typeof prng>;
export const owner = "canvas-owner";
export const settings: CanvasSettings = { batch: 50, budgetMs: 10 * 60_000 };

export const jobDeps = (clock: FakeClock): JobDeps => ({ db: db(), now: clock.now });

export const newProject = (projectId: string, clock?: FakeClock, ownerUid = owner) =>
  createCanvasProject(db(), ownerUid, "", clock?.now(), projectId);

/** Random ops refer to no media, so applying them never reaches object storage. */
const noMediaStore: UploadStore = {
  presignPut: () => Promise.reject(new Error("no media store in this suite")),
  stat: () => Promise.reject(new Error("no media store in this suite")),
};

/** One op as the owner's editor sends it, through applyCanvasOps. */
export const applyOp = (projectId: string, op: CanvasOpInput, now?: number) =>
  applyCanvasOps({ db: db(), uploads: noMediaStore }, owner, { projectId, ops: [op] }, now);

/** A random element of a few hundred bytes, with the value kinds canvases use. */
export function randomElement(rng: Rng, padding = 0): CanvasElement {
  return {
    kind: rng.pick(["rect", "text", "image", "path"]),
    x: rng.int(4000) - 2000,
    y: rng.next() * 1000,
    locked: rng.chance(0.2),
    label: rng.chance(0.1) ? null : `label ${rng.int(1e6)}`,
    style: { fill: `#${rng.int(0xffffff).toString(16)}`, stroke: { width: rng.int(8), dash: [rng.int(5), rng.int(5)] } },
    points: Array.from({ length: rng.int(6) }, () => ({ x: rng.int(100), y: rng.int(100) })),
    ...(padding > 0 ? { text: "x".repeat(padding) } : {}),
  };
}

/** Mostly upserts over a small pool of ids (so elements are replaced and deleted often). */
export function randomOp(rng: Rng, pool = 40): CanvasOpInput {
  const elementId = `el-${rng.int(pool)}`;
  return rng.chance(0.25) ? { type: "delete", elementId } : { type: "upsert", elementId, element: randomElement(rng) };
}

export async function applyRandomOps(projectId: string, rng: Rng, count: number, clock?: FakeClock): Promise<void> {
  for (let i = 0; i < count; i++) await applyOp(projectId, randomOp(rng), clock?.now());
}

/** The live elements collection, as a record. */
export async function liveElements(projectId: string): Promise<Record<string, CanvasElement>> {
  const docs = await db()
    .collection(`${projectPath(projectId)}/elements`)
    .get();
  return Object.fromEntries(docs.docs.map((d) => [d.id, d.data()]));
}

export async function project(projectId: string) {
  return (await db().doc(projectPath(projectId)).get()).data()!;
}

export async function heads(projectId: string) {
  const docs = await db()
    .collection(`${projectPath(projectId)}/${snapshotsCollection}`)
    .orderBy(FieldPath.documentId())
    .get();
  return docs.docs.map(
    (d) =>
      ({ id: d.id, ref: d.ref, ...d.data() }) as {
        id: string;
        ref: DocumentReference;
        opIndex: number;
        complete: boolean;
        partCount: number;
      },
  );
}

/**
 * A project of `count` elements written directly (BulkWriter), as applyCanvasOps would have left it
 * after one upsert per element: the op log, the elements and opIndex agree, and it is due.
 */
export async function seedProject(projectId: string, count: number, rng: Rng, padding = 0, now = Date.now()): Promise<void> {
  const at = Timestamp.fromMillis(now);
  const writer = db().bulkWriter();
  for (let i = 0; i < count; i++) {
    const elementId = `seed-${String(i).padStart(6, "0")}`;
    const element = randomElement(rng, padding);
    void writer.set(db().doc(elementPath(projectId, elementId)), element);
    void writer.set(db().doc(opPath(projectId, i)), { index: i, type: "upsert", elementId, element, at });
  }
  void writer.set(db().doc(projectPath(projectId)), {
    ownerUid: owner,
    opIndex: count,
    lastSnapshotOpIndex: 0,
    lastSnapshotAt: at,
    createdAt: at,
    updatedAt: at,
    snapshotDueAt: Timestamp.fromMillis(snapshotDueAt(count, now, now)!),
  });
  await writer.close();
}

/** The elements as of `opIndex`, replayed from the whole op log: an oracle independent of
 *  snapshots (for projects built by applyCanvasOps only). */
export async function stateAt(projectId: string, opIndex: number): Promise<Record<string, CanvasElement>> {
  const ops = await db()
    .collection(`${projectPath(projectId)}/ops`)
    .where("index", "<", opIndex)
    .orderBy("index")
    .get();
  expect(ops.docs.map((d) => d.get("index"))).toEqual(Array.from({ length: opIndex }, (_, i) => i));
  return replayOps(
    {},
    ops.docs.map((d) => d.data() as CanvasOp),
  );
}

/** What a snapshot holds, read straight from its head and parts. */
export async function snapshotElements(head: { ref: DocumentReference }): Promise<Record<string, CanvasElement>> {
  const data = (await head.ref.get()).data()!;
  const parts = await head.ref.collection("parts").orderBy(FieldPath.documentId()).get();
  const entries = (data.partCount === 0 ? data.elements : parts.docs.flatMap((p) => p.get("elements"))) as Array<{
    id: string;
    data: CanvasElement;
  }>;
  if (data.partCount !== 0) expect(parts.size).toBe(data.partCount);
  return Object.fromEntries(entries.map((e) => [e.id, e.data]));
}
