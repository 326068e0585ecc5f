/**
 * Canvas projects: live state, op log and snapshots.
 *
 * `canvasProjects/{projectId}`
 *   ownerUid             the only user who may load the project
 *   title                the editor's name for it
 *   liveBytes            wireSize of the live elements, kept by applyCanvasOps (capped)
 *   opIndex              number of ops applied so far (the next op gets this index)
 *   lastSnapshotOpIndex  opIndex of the newest complete snapshot (0: none yet)
 *   lastSnapshotAt       when that snapshot was committed (creation time before the first)
 *   snapshotDueAt        when the project becomes due for a snapshot; absent while no op is
 *                        pending. Maintained by applyCanvasOps and the snapshot commit, so the job
 *                        finds candidates with one range query on a single-field index.
 *   createdAt, updatedAt
 *
 * `canvasProjects/{projectId}/elements/{elementId}`: the live state, one document per element
 *   (arbitrary JSON-ish fields; an upsert replaces the element whole).
 *
 * `canvasProjects/{projectId}/ops/{opId}`: the op log, opId = index zero-padded to 10 digits so
 *   ids sort in op order: { index, type: "upsert" | "delete", elementId, element?, at }.
 *   Written only by applyCanvasOps, in the same transaction that changes the element and opIndex,
 *   so op indexes are dense and totally ordered.
 *
 * `canvasProjects/{projectId}/snapshots/{snapshotId}`: the elements as of one opIndex,
 *   snapshotId = opIndex zero-padded (one snapshot per opIndex, whoever writes it).
 *   { opIndex, version, createdAt, complete, partCount, elementCount, elements? }
 *   Small snapshots hold `elements` inline (partCount 0). Larger ones keep them in
 *   `snapshots/{snapshotId}/parts/{n}` ({ index, elements }, each under ~900 KB), written
 *   after an incomplete head and before the head is marked `complete: true`. Loaders use
 *   complete snapshots only; `elements` is a list of { id, data }.
 *   The newest 5 complete snapshots are kept; older ones, and incomplete ones older than the
 *   newest complete one, are deleted with their parts.
 */
import type { DocumentData } from "firebase-admin/firestore";

export const canvasProjects = "canvasProjects";
/** `canvasOwners/{uid}`: { projects, updatedAt }: how many projects the user has made (the cap's
 *  count, moved in each creation's transaction). One per user who made a project. */
export const canvasOwners = "canvasOwners";
export const ownerPath = (uid: string) => `${canvasOwners}/${uid}`;
export const elementsCollection = "elements";
export const opsCollection = "ops";
export const snapshotsCollection = "snapshots";
export const partsCollection = "parts";

/** Bumped when the snapshot layout changes, so a loader can tell old snapshots apart. */
export const snapshotVersion = 1;
/** A snapshot is due after this many ops since the last one... */
export const opsPerSnapshot = 100;
/** ...or this long after the last one, if at least one op came since. */
export const snapshotMaxAgeMs = 24 * 60 * 60 * 1000;
export const snapshotsKept = 5;
/** Firestore's document limit is 1 MiB; parts stay well under it. */
export const partMaxBytes = 900_000;

export type CanvasElement = DocumentData;

export type CanvasOpInput = { type: "upsert"; elementId: string; element: CanvasElement } | { type: "delete"; elementId: string };

export type CanvasOp = CanvasOpInput & { index: number };

export interface SnapshotEntry {
  id: string;
  data: CanvasElement;
}

const pad = (n: number) => String(n).padStart(10, "0");
export const opId = pad;
export const snapshotId = pad;

export const projectPath = (projectId: string) => `${canvasProjects}/${projectId}`;
export const elementPath = (projectId: string, elementId: string) => `${projectPath(projectId)}/${elementsCollection}/${elementId}`;
export const opPath = (projectId: string, index: number) => `${projectPath(projectId)}/${opsCollection}/${opId(index)}`;
export const snapshotPath = (projectId: string, opIndex: number) =>
  `${projectPath(projectId)}/${snapshotsCollection}/${snapshotId(opIndex)}`;

/** Applies ops in index order to a state (mutated and returned). Upserts carry the whole
 *  element, so the last op on an element decides it. */
export function replayOps(elements: Record<string, CanvasElement>, ops: Iterable<CanvasOp>): Record<string, CanvasElement> {
  for (const op of ops) {
    if (op.type === "upsert") elements[op.elementId] = op.element;
    else delete elements[op.elementId];
  }
  return elements;
}
