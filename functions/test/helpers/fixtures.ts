import { Timestamp } from "firebase-admin/firestore";
import { scoreFields } from "../../src/mirror/score";

// The one set of test data builders: a source item (generationHistory) and a mirror
// document (generations), valid by default; a test overrides only what it is about.

export const fixedCreatedAt = Timestamp.fromMillis(1_700_000_000_000);

/** A valid public `generationHistory/{uid}/items/{id}` item. A numeric `aestheticScore` gets
 *  the fingerprint of the item's content, as the admin callable gives it (without one a
 *  score is not public); pass `aestheticScoreFor` to set another. */
export function sourceItem(uid: string, fields: Record<string, unknown> = {}) {
  const item = {
    prompt: "a lighthouse",
    model: "sdxl",
    images: [{ url: "https://img.test/a.png", width: 512, height: 512 }],
    videos: [],
    isPublic: true,
    isDeleted: false,
    createdAt: fixedCreatedAt,
    updatedAt: fixedCreatedAt,
    createdBy: { uid, username: uid },
    ...fields,
  };
  return typeof fields.aestheticScore === "number" && !("aestheticScoreFor" in fields)
    ? { ...item, ...scoreFields(item, fields.aestheticScore) }
    : item;
}

/** A `generations/{id}` document as the mirror would hold it (written directly by tests that
 *  need the public mirror without the pipeline). */
export function mirrorDoc(uid: string, score: number | undefined, fields: { image?: boolean; username?: string } = {}) {
  const { image = true, username = `@${uid}` } = fields;
  return {
    uid,
    prompt: "p",
    model: "m",
    videos: [],
    createdBy: { uid, username },
    images: image ? [{ url: `https://img.test/${uid}-${score}.png`, thumbnailUrl: "https://img.test/t.png", width: 512 }] : [],
    ...(score === undefined ? {} : { aestheticScore: score }),
    createdAt: Timestamp.now(),
    sourceVersion: 1,
    mirroredAt: Timestamp.now(),
  };
}
