import { FieldPath, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { z } from "zod";
import { decodeCursor, encodeCursor } from "../shared/cursor";
import { docId } from "../shared/ids";
import * as logs from "./logs";
import {
  opId,
  opsCollection,
  partsCollection,
  projectPath,
  snapshotPath,
  snapshotsCollection,
  type CanvasElement,
  type CanvasOp,
  type SnapshotEntry,
} from "./model";
import { requireOwnProject } from "./ops";
import { partId } from "./snapshot";

export const loadCanvasInput = z.strictObject({ projectId: docId, cursor: z.string().min(1).optional() });
export type LoadCanvasInput = z.infer<typeof loadCanvasInput>;

/** Elements per answer, in JSON bytes: the callable's answer stays under ~5 MB. */
export const pageMaxBytes = 4_500_000;

/**
 * Where a paged load stands. Every page is built from the same immutable base: the snapshot
 * at `s` (0: none) and the ops from `s` to `x`. A page first gives the elements those ops
 * changed (`c` of them given so far, in id order), then the snapshot's entries from part `p`,
 * entry `o` on, skipping the ones the ops changed or deleted.
 */
const loadCursor = z.strictObject({
  x: z.number().int().min(0),
  s: z.number().int().min(0),
  c: z.number().int().min(0),
  p: z.number().int().min(0),
  o: z.number().int().min(0),
});
type LoadCursor = z.infer<typeof loadCursor>;

export interface CanvasPage {
  projectId: string;
  /** The opIndex every page of this load shows the project at. */
  opIndex: number;
  snapshotOpIndex: number;
  opsReplayed: number;
  elements: Record<string, CanvasElement>;
  /** The next page's cursor; null on the last page. */
  nextCursor: string | null;
}

interface Base {
  opIndex: number;
  snapshotOpIndex: number;
  /** The snapshot's head (undefined without a snapshot). */
  head?: DocumentSnapshot;
}

const restart = (why: string) => new HttpsError("failed-precondition", `${why}: load the project again from the first page.`);

/** The newest complete snapshot at or before `opIndex` whose parts are all there (checked
 *  without reading them: a field mask of one small field), or none. */
async function chooseBase(db: Firestore, projectId: string, opIndex: number): Promise<Base> {
  const heads = await db
    .collection(`${projectPath(projectId)}/${snapshotsCollection}`)
    .orderBy("opIndex", "desc")
    .select("opIndex", "complete")
    .get();
  for (const head of heads.docs) {
    const at = head.get("opIndex") as number;
    if (head.get("complete") !== true || at > opIndex) continue;
    const full = await head.ref.get();
    const partCount = full.get("partCount") as number;
    if (partCount > 0) {
      const parts = await db.getAll(...Array.from({ length: partCount }, (_, n) => head.ref.collection(partsCollection).doc(partId(n))), {
        fieldMask: ["index"],
      });
      const missing = parts.filter((p) => !p.exists).length;
      if (missing > 0) {
        logs.snapshotUnreadable(projectId, head.id, missing);
        continue;
      }
    }
    return { opIndex, snapshotOpIndex: at, head: full };
  }
  return { opIndex, snapshotOpIndex: 0 };
}

/** A later page's base, from its cursor: the snapshot must still be there, and must be the
 *  newest complete one before `x` (so a forged cursor cannot make a page replay more ops
 *  than the first page chose to). */
async function baseOf(db: Firestore, projectId: string, projectOpIndex: number, cursor: LoadCursor): Promise<Base> {
  if (cursor.x > projectOpIndex || cursor.s > cursor.x)
    throw new HttpsError("invalid-argument", "This cursor is not one of this project's.");
  const heads = await db
    .collection(`${projectPath(projectId)}/${snapshotsCollection}`)
    .where("opIndex", ">", cursor.s)
    .where("opIndex", "<", cursor.x)
    .select("complete")
    .get();
  // A forged cursor that skips a snapshot, or a load whose first page came just before that
  // snapshot completed: either way the next page would not be the cheapest; start again.
  if (heads.docs.some((h) => h.get("complete") === true)) throw restart("A newer snapshot of the project exists");
  if (cursor.s === 0) return { opIndex: cursor.x, snapshotOpIndex: 0 };
  const head = await db.doc(snapshotPath(projectId, cursor.s)).get();
  if (!head.exists) throw restart("The snapshot this load started from was replaced");
  if (head.get("complete") !== true) throw new HttpsError("invalid-argument", "This cursor is not one of this project's.");
  return { opIndex: cursor.x, snapshotOpIndex: cursor.s, head };
}

/** The elements the ops after the snapshot changed: id -> element, or undefined if deleted. */
async function changedSince(db: Firestore, projectId: string, base: Base): Promise<Map<string, CanvasElement | undefined>> {
  const ops = await db
    .collection(`${projectPath(projectId)}/${opsCollection}`)
    .orderBy(FieldPath.documentId())
    .startAt(opId(base.snapshotOpIndex))
    .endBefore(opId(base.opIndex))
    .get();
  // The log is dense by construction; a gap would silently lose elements, so it is an error.
  ops.docs.forEach((doc, i) => {
    if (doc.get("index") !== base.snapshotOpIndex + i)
      throw new Error(`canvas ${projectId}: op ${base.snapshotOpIndex + i} is missing from the log`);
  });
  if (ops.size !== base.opIndex - base.snapshotOpIndex)
    throw new Error(`canvas ${projectId}: the log ends at op ${base.snapshotOpIndex + ops.size}, not ${base.opIndex}`);
  const changed = new Map<string, CanvasElement | undefined>();
  for (const op of ops.docs.map((d) => d.data() as CanvasOp)) changed.set(op.elementId, op.type === "upsert" ? op.element : undefined);
  return changed;
}

/** The entries of snapshot part `n` (an inline snapshot is one part), or undefined past the end. */
async function partEntries(base: Base, n: number): Promise<SnapshotEntry[] | undefined> {
  const head = base.head;
  if (!head) return undefined;
  const partCount = head.get("partCount") as number;
  if (partCount === 0) return n === 0 ? (head.get("elements") as SnapshotEntry[]) : undefined;
  if (n >= partCount) return undefined;
  const part = await head.ref.collection(partsCollection).doc(partId(n)).get();
  if (!part.exists) throw restart("The snapshot this load started from was pruned");
  return part.get("elements") as SnapshotEntry[];
}

/** One page from `position` on, at most `maxBytes` of elements (at least one element). */
async function page(
  db: Firestore,
  projectId: string,
  base: Base,
  position: LoadCursor,
  maxBytes: number,
): Promise<{ elements: Record<string, CanvasElement>; nextCursor: string | null }> {
  const changed = await changedSince(db, projectId, base);
  const upserts = [...changed].filter(([, element]) => element !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const elements: Record<string, CanvasElement> = {};
  let bytes = 0;
  const fits = (id: string, data: CanvasElement) => {
    const size = Buffer.byteLength(JSON.stringify(id)) + Buffer.byteLength(JSON.stringify(data)) + 2;
    if (bytes > 0 && bytes + size > maxBytes) return false;
    elements[id] = data;
    bytes += size;
    return true;
  };
  const cursorAt = (at: Omit<LoadCursor, "x" | "s">) => encodeCursor({ x: base.opIndex, s: base.snapshotOpIndex, ...at });

  for (let c = position.c; c < upserts.length; c++) {
    const [id, data] = upserts[c]!;
    if (!fits(id, data!)) return { elements, nextCursor: cursorAt({ c, p: 0, o: 0 }) };
  }
  for (let p = position.p; ; p++) {
    const entries = await partEntries(base, p);
    if (!entries) break;
    for (let o = p === position.p ? position.o : 0; o < entries.length; o++) {
      const entry = entries[o]!;
      if (changed.has(entry.id)) continue;
      if (!fits(entry.id, entry.data)) return { elements, nextCursor: cursorAt({ c: upserts.length, p, o }) };
    }
  }
  return { elements, nextCursor: null };
}

/**
 * One page of a project as of one opIndex. The first page (no cursor) fixes the opIndex and
 * the snapshot; later pages are built from the same snapshot and ops, which never change, so
 * all pages together are one consistent state whatever is written meanwhile. A load whose
 * snapshot was pruned meanwhile (5 newer ones written) is refused with failed-precondition.
 */
export async function loadCanvasPage(
  db: Firestore,
  uid: string | undefined,
  input: LoadCanvasInput,
  maxBytes = pageMaxBytes,
): Promise<CanvasPage> {
  const cursor = input.cursor === undefined ? undefined : decodeCursor(input.cursor, loadCursor);
  if (cursor === null) throw new HttpsError("invalid-argument", "Invalid cursor.");
  const project = await db.doc(projectPath(input.projectId)).get();
  requireOwnProject(project, uid ?? project.get("ownerUid")); // no uid: a server-side load, any owner
  const projectOpIndex = project.get("opIndex") as number;
  let base: Base;
  let position: LoadCursor;
  if (cursor === undefined) {
    base = await chooseBase(db, input.projectId, projectOpIndex);
    position = { x: base.opIndex, s: base.snapshotOpIndex, c: 0, p: 0, o: 0 };
  } else {
    base = await baseOf(db, input.projectId, projectOpIndex, cursor);
    position = cursor;
  }
  const { elements, nextCursor } = await page(db, input.projectId, base, position, maxBytes);
  const result: CanvasPage = {
    projectId: input.projectId,
    opIndex: base.opIndex,
    snapshotOpIndex: base.snapshotOpIndex,
    opsReplayed: base.opIndex - base.snapshotOpIndex,
    elements,
    nextCursor,
  };
  logs.projectLoaded(
    input.projectId,
    base.opIndex,
    base.snapshotOpIndex,
    result.opsReplayed,
    Object.keys(elements).length,
    nextCursor !== null,
  );
  return result;
}

export interface LoadedCanvas {
  projectId: string;
  opIndex: number;
  elements: Record<string, CanvasElement>;
  snapshotOpIndex: number;
  opsReplayed: number;
  pages: number;
}

/** The whole project, page after page as an editor loads it (servers, tests and benchmarks);
 *  undefined for an unknown project. */
export async function loadCanvasState(db: Firestore, projectId: string, maxBytes = pageMaxBytes): Promise<LoadedCanvas | undefined> {
  if (!(await db.doc(projectPath(projectId)).get()).exists) return undefined;
  const first = await loadCanvasPage(db, undefined, { projectId }, maxBytes);
  const { nextCursor, ...loaded } = { ...first, pages: 1 };
  for (let cursor = nextCursor; cursor !== null; loaded.pages++) {
    const next = await loadCanvasPage(db, undefined, { projectId, cursor }, maxBytes);
    Object.assign(loaded.elements, next.elements);
    cursor = next.nextCursor;
  }
  return loaded;
}
