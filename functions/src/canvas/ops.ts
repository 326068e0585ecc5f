import { FieldValue, Timestamp, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { z } from "zod";
import { confirmUploads, readMediaDeltas } from "./media/references";
import type { UploadStore } from "./media/uploads";
import { docId } from "../shared/ids";
import { plainText } from "../shared/zod";
import { runContendedTransaction } from "../shared/transaction";
import { canvasElement, elementId, maxCallElementBytes, maxMediaPerCall, mediaIdsOf, wireSize } from "./element";
import {
  canvasProjects,
  elementPath,
  opPath,
  opsPerSnapshot,
  ownerPath,
  projectPath,
  snapshotMaxAgeMs,
  type CanvasElement,
  type CanvasOp,
  type CanvasOpInput,
} from "./model";

/** One op as an editor sends it. */
export const canvasOpInput = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("upsert"), elementId, element: canvasElement }),
  z.strictObject({ type: z.literal("delete"), elementId }),
]);

export const maxOpsPerCall = 500;

export const applyOpsInput = z
  .strictObject({
    projectId: docId,
    expectedOpIndex: z.number().int().min(0).optional(),
    ops: z.array(canvasOpInput).min(1).max(maxOpsPerCall),
  })
  .superRefine((input, ctx) => {
    const bytes = input.ops.reduce((sum, op) => sum + (op.type === "upsert" ? wireSize(op.element).bytes : 0), 0);
    if (bytes > maxCallElementBytes)
      ctx.addIssue({ code: "custom", path: ["ops"], message: `the elements are ${bytes} bytes together, over ${maxCallElementBytes}` });
    const media = new Set(input.ops.flatMap((op) => (op.type === "upsert" ? mediaIdsOf(op.element) : [])));
    if (media.size > maxMediaPerCall)
      ctx.addIssue({ code: "custom", path: ["ops"], message: `the elements refer to ${media.size} media, over ${maxMediaPerCall}` });
  });
export type ApplyOpsInput = z.infer<typeof applyOpsInput>;

export const createProjectInput = z.strictObject({ title: plainText(200).optional() });

/** Creates an empty project with a new id. Its creation counts as the last snapshot time, so
 *  a project with a few ops gets its first snapshot a day after creation. With `maxProjects`
 *  (the callable's LIMIT_PROJECTS_PER_USER), the owner's count (`canvasOwners/{uid}.projects`,
 *  counted from their projects the first time) is checked and moved in the transaction that
 *  creates the project, so concurrent creations cannot pass the cap together. */
export async function createCanvasProject(
  db: Firestore,
  ownerUid: string,
  title = "",
  now = Date.now(),
  projectId?: string,
  maxProjects?: number,
): Promise<string> {
  const ref = projectId === undefined ? db.collection(canvasProjects).doc() : db.doc(projectPath(projectId));
  const at = Timestamp.fromMillis(now);
  const project = { ownerUid, title, opIndex: 0, liveBytes: 0, lastSnapshotOpIndex: 0, lastSnapshotAt: at, createdAt: at, updatedAt: at };
  if (maxProjects === undefined) {
    await ref.create(project);
    return ref.id;
  }
  const owner = db.doc(ownerPath(ownerUid));
  const counted = (await owner.get()).exists
    ? undefined
    : (await db.collection(canvasProjects).where("ownerUid", "==", ownerUid).count().get()).data().count;
  await db.runTransaction(async (tx) => {
    const stored = (await tx.get(owner)).get("projects") as number | undefined;
    const projects = stored ?? counted ?? 0;
    if (projects >= maxProjects)
      throw new HttpsError("resource-exhausted", `You have ${projects} canvas projects, the most one may have.`, { maxProjects });
    tx.create(ref, project);
    tx.set(owner, { projects: projects + 1, updatedAt: at });
  });
  return ref.id;
}

/**
 * When a project with `pending` ops since its last snapshot becomes due: at once (`now`) from
 * `opsPerSnapshot` ops on, else a day after the last snapshot; never later than an earlier
 * due time already set. Undefined while nothing is pending.
 */
export function snapshotDueAt(pending: number, lastSnapshotAt: number, now: number, current?: number): number | undefined {
  if (pending <= 0) return undefined;
  const due = pending >= opsPerSnapshot ? now : lastSnapshotAt + snapshotMaxAgeMs;
  return current === undefined ? due : Math.min(current, due);
}

/** The media each element refers to before and after a call's ops, as +/- counts. */
function mediaDeltas(before: Map<string, CanvasElement | undefined>, after: Map<string, CanvasElement | undefined>) {
  const deltas = new Map<string, number>();
  const add = (ids: string[], delta: number) => ids.forEach((id) => deltas.set(id, (deltas.get(id) ?? 0) + delta));
  for (const [id, element] of after) {
    const was = new Set(mediaIdsOf(before.get(id)));
    const is = new Set(mediaIdsOf(element));
    add(
      [...is].filter((m) => !was.has(m)),
      1,
    );
    add(
      [...was].filter((m) => !is.has(m)),
      -1,
    );
  }
  return deltas;
}

/** Ops waiting for a snapshot: every load replays them, so their number is bounded. The
 *  job snapshots a project from 100 pending ops on, at its next run (every 6 hours). */
export const maxPendingOps = 20_000;
/** The live elements of one project (their wireSize): the snapshot job holds a project in
 *  memory (1 GiB), and a load answers it in pages. 50,000 elements of ~500 B are ~26 MB. */
export const maxProjectBytes = 128 * 1024 * 1024;
/** Attempts of the apply transaction (see applyCanvasOps). */
const applyAttempts = 10;
/** Media whose count one call may change (deletes give back references too). */
export const maxMediaChangesPerCall = 200;

/** Every owner-only canvas call: the project exists (not-found) and is the caller's
 *  (permission-denied). */
export function requireOwnProject(project: DocumentSnapshot, uid: string): void {
  if (!project.exists) throw new HttpsError("not-found", "No such canvas project.");
  if (project.get("ownerUid") !== uid) throw new HttpsError("permission-denied", "This canvas project belongs to another user.");
}

/** The project's opIndex, after the checks every call makes: it exists, it is the caller's,
 *  and it is at `expectedOpIndex` when one is given. */
function checkProject(project: DocumentSnapshot, uid: string, expectedOpIndex: number | undefined): number {
  requireOwnProject(project, uid);
  const opIndex = project.get("opIndex") as number;
  if (expectedOpIndex !== undefined && expectedOpIndex !== opIndex)
    throw new HttpsError("failed-precondition", `The project is at op ${opIndex}, not ${expectedOpIndex}: load it again.`, { opIndex });
  return opIndex;
}

export interface ApplyOpsDeps {
  db: Firestore;
  /** Confirms media uploads (HEAD) before a first reference. */
  uploads: UploadStore;
}

/**
 * Applies a call's ops in ONE transaction: reads the project (owner, opIndex), the elements
 * the ops touch and the media whose reference count changes; then writes one op document per
 * op with the next dense indexes, each touched element's final state, the media counts, and
 * the new `opIndex` and `snapshotDueAt`. Concurrent calls on a project serialize on its
 * document, so indexes stay dense and in the order the live state saw the ops; a refused call
 * (wrong owner, stale `expectedOpIndex`, refused media) writes nothing. Returns the project's
 * opIndex after the call: the `expectedOpIndex` of the editor's next call.
 */
export async function applyCanvasOps(
  deps: ApplyOpsDeps,
  uid: string,
  input: ApplyOpsInput,
  now = Date.now(),
): Promise<{ opIndex: number }> {
  const { db } = deps;
  const ops = input.ops as CanvasOpInput[];
  const projectRef = db.doc(projectPath(input.projectId));
  checkProject(await projectRef.get(), uid, input.expectedOpIndex); // before any HEAD or element read
  const mentioned = [...new Set(ops.flatMap((op) => (op.type === "upsert" ? mediaIdsOf(op.element) : [])))];
  const confirmed = await confirmUploads(db, deps.uploads, uid, mentioned);
  const touched = [...new Set(ops.map((op) => op.elementId))];

  return runContendedTransaction(
    db,
    async (tx) => {
      const project = await tx.get(projectRef);
      const first = checkProject(project, uid, input.expectedOpIndex);
      const lastSnapshotOpIndex = project.get("lastSnapshotOpIndex") as number;
      if (first + ops.length - lastSnapshotOpIndex > maxPendingOps)
        throw new HttpsError(
          "resource-exhausted",
          `The project has ${first - lastSnapshotOpIndex} ops since its last snapshot; at most ${maxPendingOps} are kept pending. Try again after the next snapshot.`,
        );
      const current = await tx.getAll(...touched.map((id) => db.doc(elementPath(input.projectId, id))));
      const before = new Map(current.map((snap, i) => [touched[i]!, snap.exists ? snap.data() : undefined]));
      const after = new Map(before);
      for (const op of ops) after.set(op.elementId, op.type === "upsert" ? op.element : undefined);
      const sizeOf = (element: CanvasElement | undefined) => (element ? wireSize(element).bytes : 0);
      const liveBytes = Math.max(
        0,
        ((project.get("liveBytes") as number | undefined) ?? 0) +
          [...after].reduce((sum, [id, el]) => sum + sizeOf(el) - sizeOf(before.get(id)), 0),
      );
      if (liveBytes > maxProjectBytes)
        throw new HttpsError("resource-exhausted", `The project would hold ${liveBytes} bytes of elements, over ${maxProjectBytes}.`);
      const deltas = mediaDeltas(before, after);
      if (deltas.size > maxMediaChangesPerCall)
        throw new HttpsError(
          "invalid-argument",
          `These ops change the references of ${deltas.size} media, over ${maxMediaChangesPerCall}: send fewer ops per call.`,
        );
      const writeMedia = await readMediaDeltas(tx, db, uid, deltas, confirmed, now);

      const at = Timestamp.fromMillis(now);
      ops.forEach((op, i) =>
        tx.create(db.doc(opPath(input.projectId, first + i)), { ...op, index: first + i, at } satisfies CanvasOp & { at: Timestamp }),
      );
      for (const [id, element] of after) {
        const ref = db.doc(elementPath(input.projectId, id));
        if (element) tx.set(ref, element);
        else if (before.get(id)) tx.delete(ref);
      }
      writeMedia();
      const opIndex = first + ops.length;
      const lastSnapshotAt = (project.get("lastSnapshotAt") as Timestamp).toMillis();
      const currentDue = (project.get("snapshotDueAt") as Timestamp | undefined)?.toMillis();
      const due = snapshotDueAt(opIndex - lastSnapshotOpIndex, lastSnapshotAt, now, currentDue);
      tx.update(projectRef, {
        opIndex,
        liveBytes,
        updatedAt: at,
        snapshotDueAt: due === undefined ? FieldValue.delete() : Timestamp.fromMillis(due),
      });
      return { opIndex };
    },
    // Calls on one project (and on one media) serialize on their documents: a busy project
    // can lose the lock several times in a row, so more attempts than the SDK's 5.
    applyAttempts,
  ).catch((error: unknown) => {
    // Still contended after every attempt: a clear, retryable answer instead of INTERNAL.
    if ((error as { code?: number }).code === 10) throw new HttpsError("aborted", "The project is busy: try again.");
    throw error;
  });
}
