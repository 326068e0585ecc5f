import type { Firestore } from "firebase-admin/firestore";
import { z } from "zod";
import { generations } from "../mirror/paths";
import { loadGeneration, publicItem, type PublicItem } from "../mirror/public";
import { isDocumentId } from "../shared/ids";

/** `findPublicItems({ q })`: an item id, or words of a prompt. */
export const findItemsInput = z.strictObject({ q: z.string().trim().min(1).max(200) });

/** How many of the newest public items a word search reads: an admin tool, bounded per call
 *  (a full-text index belongs to the public explore read, not to this panel helper). */
export const scanLimit = 500;
const resultLimit = 20;

const fold = (text: string) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** The public item with this id, else the newest public items whose prompt holds every word
 *  of `q` (case and accents ignored), among the newest `scanLimit`. */
export async function findPublicItems(db: Firestore, q: string): Promise<{ items: PublicItem[]; scanned: number }> {
  if (isDocumentId(q)) {
    const item = await loadGeneration(db, q);
    if (item) return { items: [item], scanned: 1 };
  }
  const words = fold(q).split(/\s+/).filter(Boolean);
  const snap = await db.collection(generations).orderBy("createdAt", "desc").limit(scanLimit).get();
  const items = snap.docs
    .filter((doc) => {
      const prompt = fold(String(doc.get("prompt") ?? ""));
      return words.every((w) => prompt.includes(w));
    })
    .slice(0, resultLimit)
    .map((doc) => publicItem(doc.id, doc.data()));
  return { items, scanned: snap.size };
}
