import { Timestamp } from "firebase-admin/firestore";
import { auth } from "../../src/shared/firebase";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { db } from "../helpers/firestore";

/**
 * The existing platform Fresco is deployed onto, as its own data has it: Auth users with and
 * without display names; items whose `createdBy` carries free-text names (a name that is no
 * valid handle, two creators with the same name, a creator renamed between her items) and
 * photos; scores without a fingerprint (the old admin panel wrote `aestheticScore` alone); the
 * old worker's mirror documents (no `sourceVersion`, `promptWords` or provenance marks, the
 * image pipeline's thumbnails on them); and tasks of the old queue in its shape.
 */
export interface OldUser {
  uid: string;
  displayName?: string;
  photoURL?: string;
}

export interface OldItem {
  uid: string;
  id: string;
  prompt: string;
  username: string;
  photoURL?: string;
  score?: number;
  /** Minutes after the first item (newest first in every list). */
  at: number;
  isPublic?: boolean;
  /** A pending task of the old queue for this item. */
  task?: "upsert" | "update" | "remove";
}

export const oldUsers: OldUser[] = [
  { uid: "op-ann", displayName: "Ann Painter", photoURL: "https://old.test/ann-auth.png" },
  { uid: "op-bob" },
  { uid: "op-sam1" },
  { uid: "op-sam2", displayName: "Samuel" },
  { uid: "op-ren", displayName: "Ren" },
  { uid: "op-odd" },
  { uid: "op-nora", displayName: "Nora Auth", photoURL: "https://old.test/nora.png" },
];

export const oldItems: OldItem[] = [
  {
    uid: "op-ann",
    id: "op-ann-1",
    prompt: "harbour at dawn",
    username: "ann",
    photoURL: "https://old.test/ann.png",
    score: 8.5,
    at: 1,
    task: "update",
  },
  { uid: "op-ann", id: "op-ann-2", prompt: "fox in snow", username: "ann", photoURL: "https://old.test/ann.png", at: 2 },
  { uid: "op-ann", id: "op-ann-3", prompt: "a private sketch", username: "ann", at: 3, isPublic: false, task: "remove" },
  { uid: "op-bob", id: "op-bob-1", prompt: "neon city rain", username: "bob", score: 7.25, at: 4, task: "upsert" },
  { uid: "op-sam1", id: "op-sam1-1", prompt: "desert moon", username: "sam", photoURL: "https://old.test/sam1.png", score: 9, at: 5 },
  { uid: "op-sam2", id: "op-sam2-1", prompt: "forest spirits", username: "sam", photoURL: "https://old.test/sam2.png", at: 6 },
  { uid: "op-ren", id: "op-ren-1", prompt: "paper boats", username: "ren_old", at: 7 },
  {
    uid: "op-ren",
    id: "op-ren-2",
    prompt: "glass garden",
    username: "ren the new",
    photoURL: "https://old.test/ren.png",
    score: 7.5,
    at: 8,
  },
  { uid: "op-odd", id: "op-odd-1", prompt: "static noise", username: "__x__ (not a handle!)", score: 6, at: 9 },
  { uid: "op-nora", id: "op-nora-1", prompt: "hidden work", username: "nora", at: 10, isPublic: false },
];

const base = Date.parse("2026-01-05T10:00:00Z");
const time = (item: OldItem) => Timestamp.fromMillis(base + item.at * 60_000);
export const imageUrl = (item: OldItem) => `https://old.test/img/${item.id}.png`;
/** What the old image pipeline wrote onto the mirror (never on the source). */
export const pipelineThumb = (item: OldItem) => `https://old.test/thumb/${item.id}.webp`;
const createdBy = (item: OldItem) => ({ uid: item.uid, username: item.username, ...(item.photoURL ? { photoURL: item.photoURL } : {}) });

export function oldSource(item: OldItem) {
  return {
    prompt: item.prompt,
    model: "sdxl",
    images: [{ url: imageUrl(item), width: 768, height: 768 }],
    videos: [],
    isPublic: item.isPublic ?? true,
    isDeleted: false,
    createdAt: time(item),
    updatedAt: time(item),
    createdBy: createdBy(item),
    ...(item.score === undefined ? {} : { aestheticScore: item.score }),
  };
}

/** The old worker's mirror document: a copy of the source's public fields, plus the
 *  pipeline's thumbnail. */
export function oldMirror(item: OldItem) {
  return {
    uid: item.uid,
    prompt: item.prompt,
    model: "sdxl",
    images: [{ url: imageUrl(item), width: 768, height: 768, thumbnailUrl: pipelineThumb(item) }],
    videos: [],
    isPublic: true,
    createdAt: time(item),
    updatedAt: time(item),
    createdBy: createdBy(item),
    ...(item.score === undefined ? {} : { aestheticScore: item.score }),
  };
}

export const publicOldItems = oldItems.filter((i) => i.isPublic !== false);

/** Writes the old platform (with the triggers off: it existed before Fresco was deployed). */
export async function writeOldPlatform(): Promise<void> {
  for (const user of oldUsers) {
    await auth()
      .deleteUser(user.uid)
      .catch(() => undefined);
    await auth().createUser({ ...user, email: `${user.uid}@old.test` });
  }
  const batch = db().batch();
  for (const item of oldItems) {
    batch.set(db().doc(sourcePath(item.uid, item.id)), oldSource(item));
    if (item.isPublic !== false) batch.set(db().doc(mirrorPath(item.id)), oldMirror(item));
    if (item.task)
      batch.set(db().collection(mirrorQueue).doc(`old-${item.id}`), {
        op: item.task,
        uid: item.uid,
        historyId: item.id,
        ...(item.task === "update" ? { updates: { aestheticScore: item.score } } : {}),
        status: "pending",
        attempts: 0,
        createdAt: Timestamp.fromMillis(base),
      });
  }
  await batch.commit();
}
