import { FieldPath, FieldValue, Timestamp, type DocumentReference, type Firestore } from "firebase-admin/firestore";
import type { JobDeps } from "../maintenance/job";
import { mapLimit } from "../shared/map-limit";
import { runContendedTransaction } from "../shared/transaction";
import * as logs from "./logs";
import {
  elementsCollection,
  partMaxBytes,
  partsCollection,
  projectPath,
  snapshotPath,
  snapshotsCollection,
  snapshotsKept,
  snapshotVersion,
  type SnapshotEntry,
} from "./model";
import { snapshotDueAt } from "./ops";
import { splitIntoParts, storageSize } from "./size";

export type SnapshotOutcome = "snapshotted" | "upToDate" | "alreadySnapshotted" | "obsolete" | "missing";

export interface SnapshotReport {
  outcome: SnapshotOutcome;
  opIndex: number;
  elementCount: number;
  partCount: number;
  pruned: number;
}

/** Seams for tests: ops applied after the read, a crash after the parts. */
export interface SnapshotHooks {
  afterRead?: (projectId: string, opIndex: number) => Promise<void>;
  afterParts?: () => Promise<void>;
}

const elementPageSize = 5000;
/** Attempts of the transaction that completes a snapshot (see snapshotProject). */
const completionAttempts = 8;
export const partId = (n: number) => String(n).padStart(4, "0");

interface ConsistentState {
  opIndex: number;
  lastSnapshotOpIndex: number;
  entries: SnapshotEntry[];
}

/** The project and all its elements at ONE read time: a read-only transaction reads every
 *  document as of its start, so ops committed meanwhile are neither half in nor counted. */
async function readConsistent(db: Firestore, projectRef: DocumentReference): Promise<ConsistentState | undefined> {
  return db.runTransaction(
    async (tx) => {
      const project = await tx.get(projectRef);
      if (!project.exists) return undefined;
      const opIndex = project.get("opIndex") as number;
      const lastSnapshotOpIndex = project.get("lastSnapshotOpIndex") as number;
      const entries: SnapshotEntry[] = [];
      if (opIndex <= lastSnapshotOpIndex) return { opIndex, lastSnapshotOpIndex, entries };
      const query = projectRef.collection(elementsCollection).orderBy(FieldPath.documentId()).limit(elementPageSize);
      for (let after: string | undefined; ;) {
        const page = await tx.get(after === undefined ? query : query.startAfter(after));
        for (const doc of page.docs) entries.push({ id: doc.id, data: doc.data() });
        if (page.size < elementPageSize) break;
        after = page.docs[page.size - 1]!.id;
      }
      return { opIndex, lastSnapshotOpIndex, entries };
    },
    { readOnly: true },
  );
}

/**
 * Snapshots one project as of its current opIndex. Safe to run twice or concurrently: the
 * snapshot id is the opIndex, the head is marked complete in a transaction that also moves
 * `lastSnapshotOpIndex` forward only, and a run that loses either race drops its work.
 * A crash after the parts leaves an incomplete head that the next run completes (same
 * opIndex) or prunes (once a newer snapshot is complete).
 */
export async function snapshotProject(deps: JobDeps, projectId: string, hooks: SnapshotHooks = {}): Promise<SnapshotReport> {
  const { db } = deps;
  const started = deps.now();
  const projectRef = db.doc(projectPath(projectId));
  const state = await readConsistent(db, projectRef);
  if (!state) return { outcome: "missing", opIndex: 0, elementCount: 0, partCount: 0, pruned: 0 };
  const { opIndex, entries } = state;
  const report = (outcome: SnapshotOutcome, partCount = 0, pruned = 0): SnapshotReport => ({
    outcome,
    opIndex,
    elementCount: entries.length,
    partCount,
    pruned,
  });
  if (opIndex <= state.lastSnapshotOpIndex) return report("upToDate");
  await hooks.afterRead?.(projectId, opIndex);

  const headRef = db.doc(snapshotPath(projectId, opIndex));
  const at = Timestamp.fromMillis(deps.now());
  const parts = storageSize(entries) <= partMaxBytes ? [] : splitIntoParts(entries);
  const head = { opIndex, version: snapshotVersion, createdAt: at, partCount: parts.length, elementCount: entries.length };

  if (parts.length > 0) {
    // An incomplete head first, so a crash leaves something the next run can find.
    const begun = await db.runTransaction(async (tx) => {
      if ((await tx.get(headRef)).get("complete") === true) return false;
      tx.set(headRef, { ...head, complete: false });
      return true;
    });
    if (!begun) return report("alreadySnapshotted", 0, await pruneSnapshots(db, projectId));
    // One write per part: a batch of several would pass the 10 MiB request limit.
    await mapLimit(parts, 4, (elements, n) => headRef.collection(partsCollection).doc(partId(n)).set({ index: n, elements }));
    await hooks.afterParts?.();
  }

  // This transaction locks the project document that every op of an editor writes: on a
  // project being edited right now it can lose the lock several times in a row, so it gets
  // more attempts than the SDK's 5 (its jittered backoff grows 1.5x from 1 s: under a minute
  // of waiting in all, within the job's timeout; a project that still loses is an error of the run
  // and stays due for the next one).
  const outcome = await runContendedTransaction(
    db,
    async (tx): Promise<SnapshotOutcome> => {
      const [project, current] = await tx.getAll(projectRef, headRef);
      if (current!.get("complete") === true) return "alreadySnapshotted";
      if (!project!.exists) return "missing";
      if ((project!.get("lastSnapshotOpIndex") as number) >= opIndex) return "obsolete";
      if (parts.length > 0 && !current!.exists) throw new Error(`incomplete snapshot ${headRef.id} vanished before completion`);
      const complete = { ...head, complete: true, completedAt: at };
      tx.set(headRef, parts.length > 0 ? complete : { ...complete, elements: entries });
      // Ops that arrived during the snapshot are pending for the next one.
      const due = snapshotDueAt((project!.get("opIndex") as number) - opIndex, at.toMillis(), at.toMillis());
      tx.update(projectRef, {
        lastSnapshotOpIndex: opIndex,
        lastSnapshotAt: at,
        snapshotDueAt: due === undefined ? FieldValue.delete() : Timestamp.fromMillis(due),
      });
      return "snapshotted";
    },
    completionAttempts,
  );

  if (outcome === "obsolete" || outcome === "missing") {
    if (parts.length > 0) await deleteSnapshot(headRef);
    if (outcome === "obsolete") logs.snapshotObsolete(projectId, opIndex);
    return report(outcome);
  }
  if (outcome === "snapshotted") logs.snapshotWritten(projectId, opIndex, entries.length, parts.length, deps.now() - started);
  return report(outcome, outcome === "snapshotted" ? parts.length : 0, await pruneSnapshots(db, projectId));
}

/** Keeps the newest `snapshotsKept` complete snapshots; deletes older ones, and incomplete
 *  ones older than the newest complete (a crashed or superseded run's). Returns how many. */
export async function pruneSnapshots(db: Firestore, projectId: string): Promise<number> {
  const heads = await db
    .collection(`${projectPath(projectId)}/${snapshotsCollection}`)
    .orderBy("opIndex", "desc")
    .select("opIndex", "complete")
    .get();
  const complete = heads.docs.filter((d) => d.get("complete") === true);
  const newest = (complete[0]?.get("opIndex") as number | undefined) ?? -1;
  const doomed = heads.docs.filter((d) =>
    d.get("complete") === true ? complete.indexOf(d) >= snapshotsKept : (d.get("opIndex") as number) < newest,
  );
  for (const d of doomed) await deleteSnapshot(d.ref);
  if (doomed.length > 0)
    logs.snapshotsPruned(
      projectId,
      doomed.map((d) => d.id),
    );
  return doomed.length;
}

/** Deletes a snapshot's parts and head; the head goes in the last batch, so an interrupted
 *  delete still leaves a head that the next prune finds. */
async function deleteSnapshot(headRef: DocumentReference): Promise<void> {
  const refs = [...(await headRef.collection(partsCollection).listDocuments()), headRef];
  for (let i = 0; i < refs.length; i += 400) {
    const batch = headRef.firestore.batch();
    for (const ref of refs.slice(i, i + 400)) batch.delete(ref);
    await batch.commit();
  }
}
