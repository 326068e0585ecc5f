import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { mirrorPath } from "../mirror/paths";
import { userPath } from "../people/model";
import { ensureUser, flushOutbox, newOutboxId, type PeopleDeps } from "../people/users";
import { notPublic } from "./access";
import * as logs from "./logs";
import { collectionItemPath, collectionItemsPath, collectionPath, collectionsPath, imageLimits, savedPath } from "./model";

const noSuchCollection = () => new HttpsError("not-found", "No such collection.");

/** Commits `write` with its outbox entry, then bumps the tags (the next read is fresh). */
async function committed<T>(deps: PeopleDeps, tags: string[], write: (record: (tx: FirebaseFirestore.Transaction) => void) => Promise<T>) {
  const outboxId = newOutboxId("collection");
  const result = await write((tx) => recordInTransaction(deps.db, tx, outboxId, tags, Date.now()));
  await flushOutbox(deps, outboxId, tags);
  return result;
}

/** `createCollection`: at most 100 per user, counted on the user's document in the same
 *  transaction (so concurrent creates cannot pass the limit together). */
export async function createCollection(deps: PeopleDeps, uid: string, input: { name: string; description?: string | undefined }) {
  const { db } = deps;
  await ensureUser(deps, uid);
  const ref = db.collection(collectionsPath(uid)).doc();
  const userRef = db.doc(userPath(uid));
  await committed(deps, writes.collectionChanged.tags({ uid, collectionId: ref.id }), (record) =>
    db.runTransaction(async (tx) => {
      const count = ((await tx.get(userRef)).get("collectionsCount") as number | undefined) ?? 0;
      if (count >= imageLimits.collectionsPerUser)
        throw new HttpsError("failed-precondition", `At most ${imageLimits.collectionsPerUser} collections.`);
      const now = Timestamp.now();
      tx.create(ref, { name: input.name, description: input.description ?? "", itemCount: 0, createdAt: now, updatedAt: now });
      tx.update(userRef, { collectionsCount: count + 1 });
      record(tx);
    }),
  );
  logs.collectionChanged(uid, ref.id, "created");
  return { collectionId: ref.id };
}

export async function updateCollection(
  deps: PeopleDeps,
  uid: string,
  input: { collectionId: string; name?: string | undefined; description?: string | undefined },
) {
  const { db } = deps;
  const ref = db.doc(collectionPath(uid, input.collectionId));
  await committed(deps, writes.collectionChanged.tags({ uid, collectionId: input.collectionId }), (record) =>
    db.runTransaction(async (tx) => {
      if (!(await tx.get(ref)).exists) throw noSuchCollection();
      tx.update(ref, {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.description === undefined ? {} : { description: input.description }),
        updatedAt: Timestamp.now(),
      });
      record(tx);
    }),
  );
  logs.collectionChanged(uid, input.collectionId, "updated");
  return { collectionId: input.collectionId };
}

/** `deleteCollection`: the collection goes in one transaction (from then on it is not-found,
 *  and saved states drop its id on read). Its saves are cleared after: each item's saved state
 *  loses the id and the item edges are deleted (at most 1,000). A crash there leaves what no
 *  read shows; deleting again (`not-found` to the caller) clears it. */
export async function deleteCollection(deps: PeopleDeps, uid: string, collectionId: string) {
  const { db } = deps;
  const ref = db.doc(collectionPath(uid, collectionId));
  const existed = await committed(deps, writes.collectionChanged.tags({ uid, collectionId }), (record) =>
    db.runTransaction(async (tx) => {
      const [collection, user] = await tx.getAll(ref, db.doc(userPath(uid)));
      if (!collection!.exists) return false;
      tx.delete(ref);
      tx.update(user!.ref, { collectionsCount: Math.max(0, ((user!.get("collectionsCount") as number | undefined) ?? 1) - 1) });
      record(tx);
      return true;
    }),
  );
  await clearSaves(db, uid, collectionId).catch((error: unknown) => logs.collectionCleanupFailed(uid, collectionId, error));
  if (!existed) throw noSuchCollection();
  logs.collectionChanged(uid, collectionId, "deleted");
  return { deleted: true };
}

/** A deleted collection's saves: out of each item's saved state, then the edges themselves. */
async function clearSaves(db: Firestore, uid: string, collectionId: string): Promise<void> {
  const items = await db.collection(collectionItemsPath(uid, collectionId)).select().get();
  if (items.empty) return;
  const writer = db.bulkWriter();
  for (const item of items.docs) {
    void writer.set(db.doc(savedPath(uid, item.id)), { collectionIds: FieldValue.arrayRemove(collectionId) }, { merge: true });
    void writer.delete(item.ref);
  }
  await writer.close();
}

/** `addToCollection` / `removeFromCollection`: the item edge, the collection's count and the
 *  user's saved state move together; adding needs a public item, removing does not (a saved
 *  item that went private can still be taken out). Idempotent either way. */
export async function setInCollection(deps: PeopleDeps, uid: string, collectionId: string, historyId: string, add: boolean) {
  const { db } = deps;
  const ref = db.doc(collectionPath(uid, collectionId));
  const itemRef = db.doc(collectionItemPath(uid, collectionId, historyId));
  const savedRef = db.doc(savedPath(uid, historyId));
  const result = await committed(deps, writes.collectionItemsChanged.tags({ uid, collectionId, historyId }), (record) =>
    db.runTransaction(async (tx) => {
      const [collection, item, mirror] = await tx.getAll(ref, itemRef, db.doc(mirrorPath(historyId)));
      if (!collection!.exists) throw noSuchCollection();
      const count = (collection!.get("itemCount") as number | undefined) ?? 0;
      if (item!.exists === add) return { changed: false, itemCount: count };
      if (add && !mirror!.exists) throw notPublic();
      if (add && count >= imageLimits.itemsPerCollection)
        throw new HttpsError("failed-precondition", `At most ${imageLimits.itemsPerCollection} items in a collection.`);
      const now = Timestamp.now();
      if (add) tx.create(itemRef, { at: now });
      else tx.delete(itemRef);
      tx.update(ref, { itemCount: count + (add ? 1 : -1), updatedAt: now });
      tx.set(
        savedRef,
        { collectionIds: add ? FieldValue.arrayUnion(collectionId) : FieldValue.arrayRemove(collectionId) },
        { merge: true },
      );
      record(tx);
      return { changed: true, itemCount: count + (add ? 1 : -1) };
    }),
  );
  if (result.changed) logs.collectionChanged(uid, collectionId, add ? "item added" : "item removed", historyId);
  return { collectionId, saved: add, itemCount: result.itemCount };
}

/** The ids of the user's collections among `ids` that still exist. */
export async function existingCollections(db: Firestore, uid: string, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const docs = await db.getAll(...ids.map((id) => db.doc(collectionPath(uid, id))), { fieldMask: [] });
  return docs.filter((d) => d.exists).map((d) => d.id);
}
