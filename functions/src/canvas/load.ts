import { FieldPath, type DocumentReference, type Firestore, type Transaction } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { z } from "zod";
import { docId } from "../shared/ids";
import * as logs from "./logs";
import {
  opId,
  opsCollection,
  partsCollection,
  projectPath,
  snapshotsCollection,
  type CanvasElement,
  type CanvasOp,
  type SnapshotEntry,
  replayOps,
} from "./model";
import { partId } from "./snapshot";

export const loadCanvasInput = z.strictObject({ projectId: docId });

export interface LoadedCanvas {
  projectId: string;
  opIndex: number;
  elements: Record<string, CanvasElement>;
  snapshotOpIndex: number;
  opsReplayed: number;
}

/** A snapshot's elements, or undefined when a part is missing (the head is then unusable). */
async function snapshotEntries(tx: Transaction, headRef: DocumentReference, projectId: string): Promise<SnapshotEntry[] | undefined> {
  const head = await tx.get(headRef);
  const partCount = head.get("partCount") as number;
  if (partCount === 0) return head.get("elements") as SnapshotEntry[];
  const parts = await tx.getAll(...Array.from({ length: partCount }, (_, n) => headRef.collection(partsCollection).doc(partId(n))));
  const missing = parts.filter((p) => !p.exists).length;
  if (missing > 0) {
    logs.snapshotUnreadable(projectId, headRef.id, missing);
    return undefined;
  }
  return parts.flatMap((p) => p.get("elements") as SnapshotEntry[]);
}

/**
 * The elements of a project as of its current opIndex: the newest complete snapshot, then
 * the ops after it replayed. Everything is read in one read-only transaction, so the opIndex,
 * the snapshot and the ops belong to the same moment. Undefined for an unknown project.
 */
export async function loadCanvasState(db: Firestore, projectId: string): Promise<LoadedCanvas | undefined> {
  const projectRef = db.doc(projectPath(projectId));
  return db.runTransaction(
    async (tx) => {
      const project = await tx.get(projectRef);
      if (!project.exists) return undefined;
      const opIndex = project.get("opIndex") as number;
      const heads = await tx.get(projectRef.collection(snapshotsCollection).orderBy("opIndex", "desc").select("opIndex", "complete"));
      let elements: Record<string, CanvasElement> = {};
      let snapshotOpIndex = 0;
      for (const head of heads.docs) {
        if (head.get("complete") !== true || (head.get("opIndex") as number) > opIndex) continue;
        const entries = await snapshotEntries(tx, head.ref, projectId);
        if (!entries) continue;
        elements = Object.fromEntries(entries.map((e) => [e.id, e.data]));
        snapshotOpIndex = head.get("opIndex") as number;
        break;
      }
      const ops = await tx.get(
        projectRef.collection(opsCollection).orderBy(FieldPath.documentId()).startAt(opId(snapshotOpIndex)).endBefore(opId(opIndex)),
      );
      // The log is dense by construction; a gap would silently lose elements, so it is an error.
      ops.docs.forEach((doc, i) => {
        if (doc.get("index") !== snapshotOpIndex + i)
          throw new Error(`canvas ${projectId}: op ${snapshotOpIndex + i} is missing from the log`);
      });
      if (ops.size !== opIndex - snapshotOpIndex)
        throw new Error(`canvas ${projectId}: the log ends at op ${snapshotOpIndex + ops.size}, not ${opIndex}`);
      replayOps(
        elements,
        ops.docs.map((d) => d.data() as CanvasOp),
      );
      return { projectId, opIndex, elements, snapshotOpIndex, opsReplayed: ops.size };
    },
    { readOnly: true },
  );
}

/** The `loadCanvasProject` callable: the owner's project, rebuilt from snapshot + ops. */
export async function loadCanvasProject(db: Firestore, uid: string, input: z.infer<typeof loadCanvasInput>): Promise<LoadedCanvas> {
  const project = await db.doc(projectPath(input.projectId)).get();
  if (!project.exists) throw new HttpsError("not-found", "No such canvas project.");
  if (project.get("ownerUid") !== uid) throw new HttpsError("permission-denied", "This canvas project belongs to another user.");
  const loaded = await loadCanvasState(db, input.projectId);
  if (!loaded) throw new HttpsError("not-found", "No such canvas project.");
  logs.projectLoaded(loaded.projectId, loaded.opIndex, loaded.snapshotOpIndex, loaded.opsReplayed, Object.keys(loaded.elements).length);
  return loaded;
}
