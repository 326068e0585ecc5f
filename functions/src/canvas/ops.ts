import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { docId, isDocumentId } from "../shared/ids";
import { elementPath, opPath, opsPerSnapshot, projectPath, snapshotMaxAgeMs, type CanvasOp, type CanvasOpInput } from "./model";

/** The ops the apps' backend may apply; validated before anything is written. */
export const canvasOpInput = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("upsert"), elementId: docId, element: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal("delete"), elementId: docId }),
]);

/** Creates an empty project. Its creation counts as the last snapshot time, so a project
 *  with a few ops gets its first snapshot a day after creation. */
export async function createCanvasProject(db: Firestore, projectId: string, ownerUid: string, now = Date.now()): Promise<void> {
  if (!isDocumentId(projectId)) throw new Error(`invalid canvas project id: ${projectId}`);
  const at = Timestamp.fromMillis(now);
  await db.doc(projectPath(projectId)).create({
    ownerUid,
    opIndex: 0,
    lastSnapshotOpIndex: 0,
    lastSnapshotAt: at,
    createdAt: at,
    updatedAt: at,
  });
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

/**
 * Applies one op in ONE transaction: reads the project, gives the op the next index, writes
 * the op and the element, and advances `opIndex`. Concurrent ops on a project serialize on
 * its document, so the op log is dense and in the order the live state saw the ops.
 * Returns the op's index.
 */
export async function applyOp(db: Firestore, projectId: string, input: CanvasOpInput, now = Date.now()): Promise<number> {
  const op = canvasOpInput.parse(input) as CanvasOpInput;
  const projectRef = db.doc(projectPath(projectId));
  return db.runTransaction(async (tx) => {
    const project = await tx.get(projectRef);
    if (!project.exists) throw new Error(`canvas project ${projectId} does not exist`);
    const index = project.get("opIndex") as number;
    const lastSnapshotOpIndex = project.get("lastSnapshotOpIndex") as number;
    const lastSnapshotAt = (project.get("lastSnapshotAt") as Timestamp).toMillis();
    const currentDue = project.get("snapshotDueAt") as Timestamp | undefined;
    const due = snapshotDueAt(index + 1 - lastSnapshotOpIndex, lastSnapshotAt, now, currentDue?.toMillis());

    const at = Timestamp.fromMillis(now);
    const logged: CanvasOp & { at: Timestamp } = { ...op, index, at };
    tx.create(db.doc(opPath(projectId, index)), logged);
    const elementRef = db.doc(elementPath(projectId, op.elementId));
    if (op.type === "upsert") tx.set(elementRef, op.element);
    else tx.delete(elementRef);
    tx.update(projectRef, {
      opIndex: index + 1,
      updatedAt: at,
      snapshotDueAt: due === undefined ? FieldValue.delete() : Timestamp.fromMillis(due),
    });
    return index;
  });
}
