import { FieldValue, Timestamp, type DocumentSnapshot, type Firestore, type Transaction } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { mapLimit } from "../../shared/map-limit";
import { canvasMedia } from "./model";
import { uploadMatches, type UploadStore } from "./uploads";

/**
 * Taking and giving back references to canvas media (`referencedByCount`), the other half of
 * collectCanvasMedia's protocol (see gc.ts `collect`). A reference is taken only in the
 * transaction that writes the element, and only to a media that is not claimed by the GC
 * (`deletingAt` absent): the GC claims in a transaction that requires the count to be 0, so
 * either the claim or the reference comes first and the other sees it. The count is the
 * number of live elements that refer to the media (an element counts once).
 */

const refused = (mediaId: string, why: string) => new HttpsError("failed-precondition", `Media ${mediaId} ${why}.`, { mediaId });

/** The checks every reference needs, on a record read now. */
function checkReferable(snap: DocumentSnapshot, uid: string, uploaded: boolean): void {
  const id = snap.id;
  if (!snap.exists) throw new HttpsError("not-found", `No such media: ${id}.`, { mediaId: id });
  if (snap.get("ownerUid") !== uid) throw new HttpsError("permission-denied", `Media ${id} belongs to another user.`, { mediaId: id });
  if (snap.get("deletingAt") !== undefined) throw refused(id, "is being deleted and can no longer be referenced");
  if (!uploaded && snap.get("uploadedAt") === undefined) throw refused(id, "was never uploaded (or not as declared)");
}

/**
 * Before the transaction (object storage is not called inside one: it would be called again
 * on every retry): checks the media the call's elements mention and HEADs the objects of
 * those not yet known to be uploaded. Returns the ids whose upload was confirmed now. The
 * transaction checks again what may have changed meanwhile (claims, deletions).
 */
export async function confirmUploads(db: Firestore, store: UploadStore, uid: string, mediaIds: string[]): Promise<Set<string>> {
  if (mediaIds.length === 0) return new Set();
  const snaps = await db.getAll(...mediaIds.map((id) => db.collection(canvasMedia).doc(id)));
  const confirmed = new Set<string>();
  await mapLimit(snaps, 8, async (snap) => {
    checkReferable(snap, uid, true);
    if (snap.get("uploadedAt") !== undefined) return;
    const storagePath = snap.get("storagePath") as string;
    const found = await uploadMatches(store, { storagePath, sizeBytes: snap.get("sizeBytes"), contentType: snap.get("contentType") });
    if (found !== "ok") throw refused(snap.id, found === "missing" ? "was never uploaded" : "was not uploaded as declared (size or type)");
    confirmed.add(snap.id);
  });
  return confirmed;
}

/**
 * Inside the apply transaction: reads the media whose count changes (`deltas`: +n where
 * elements start to refer to it, -n where they stop). Returns the writes to make after all
 * reads; throws (nothing written) when a new reference is refused.
 */
export async function readMediaDeltas(
  tx: Transaction,
  db: Firestore,
  uid: string,
  deltas: Map<string, number>,
  confirmed: Set<string>,
  now: number,
): Promise<() => void> {
  const changed = [...deltas].filter(([, delta]) => delta !== 0);
  if (changed.length === 0) return () => undefined;
  const snaps = await tx.getAll(...changed.map(([id]) => db.collection(canvasMedia).doc(id)));
  const writes = snaps.map((snap, i) => {
    const delta = changed[i]![1];
    if (delta > 0) checkReferable(snap, uid, confirmed.has(snap.id));
    if (!snap.exists) return () => undefined; // a reference to a record that is gone: nothing to give back
    const count = Math.max(0, ((snap.get("referencedByCount") as number) ?? 0) + delta);
    const at = Timestamp.fromMillis(now);
    // The GC's TTL runs from the last reference given back, so an undo or a paste a day
    // later still finds an old media that was just unreferenced.
    const since = count === 0 ? { unreferencedAt: at } : { unreferencedAt: FieldValue.delete() };
    const upload = snap.get("uploadedAt") === undefined && delta > 0 ? { uploadedAt: at, pendingUpload: FieldValue.delete() } : {};
    return () => tx.update(snap.ref, { referencedByCount: count, ...since, ...upload });
  });
  return () => writes.forEach((write) => write());
}
