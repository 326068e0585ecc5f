import type { Firestore, QueryDocumentSnapshot } from "firebase-admin/firestore";
import { generations } from "../mirror/paths";
import type { PublicItem } from "../mirror/public";
import type { SignupSettings } from "./config";

/** One image on the signup page. */
export interface SignupImage {
  historyId: string;
  uid: string;
  url: string;
  thumbnailUrl?: string;
  avifUrl?: string;
  width?: number;
  height?: number;
  aestheticScore: number;
  username?: string;
}

/** The selection keeps this many candidates per image shown, so items that leave the
 *  public mirror or drop below the threshold between refreshes leave no hole. */
export const spareFactor = 2;

/** An item as the signup page shows it, or null when it may not be shown now: public, with
 *  an image, scored at or above the threshold. Decided at read time from the current
 *  mirror, so any mirror change reaches the page on the next read. */
export function signupImageOf(item: PublicItem | null, settings: Pick<SignupSettings, "minScore">): SignupImage | null {
  const first = (item?.images as Array<Record<string, unknown>> | undefined)?.[0];
  const score = item?.aestheticScore;
  if (!item || !first || typeof first.url !== "string" || typeof score !== "number" || score < settings.minScore) return null;
  const image: SignupImage = { historyId: item.historyId, uid: item.uid, url: first.url, aestheticScore: score };
  for (const key of ["thumbnailUrl", "avifUrl", "width", "height"] as const)
    if (first[key] !== undefined) Object.assign(image, { [key]: first[key] });
  const username = (item.createdBy as { username?: unknown } | undefined)?.username;
  if (typeof username === "string") image.username = username;
  return image;
}

/** The signup images of a selection, in its order: the first `count` that may be shown. */
export function signupImages(items: Array<PublicItem | null>, settings: Pick<SignupSettings, "minScore" | "count">): SignupImage[] {
  return items.flatMap((item) => signupImageOf(item, settings) ?? []).slice(0, settings.count);
}

/** The best public images: highest aestheticScore at or above the threshold, with an image,
 *  at most `perCreator` per creator, `count × spareFactor` of them. The public mirror only
 *  holds live public items, so deleted and private ones cannot appear. */
export async function selectSignupCandidates(db: Firestore, settings: SignupSettings): Promise<string[]> {
  const want = settings.count * spareFactor;
  const chosen: string[] = [];
  const perCreator = new Map<string, number>();
  let last: QueryDocumentSnapshot | undefined;
  const pageSize = Math.max(50, want * 2);
  for (let page = 0; page < 20 && chosen.length < want; page++) {
    let query = db
      .collection(generations)
      .where("aestheticScore", ">=", settings.minScore)
      .orderBy("aestheticScore", "desc")
      .limit(pageSize);
    if (last) query = query.startAfter(last);
    const snap = await query.get();
    for (const doc of snap.docs) {
      const uid = String(doc.get("uid"));
      const count = perCreator.get(uid) ?? 0;
      const images = doc.get("images") as Array<{ url?: unknown }> | undefined;
      if (typeof images?.[0]?.url !== "string" || count >= settings.perCreator) continue;
      perCreator.set(uid, count + 1);
      chosen.push(doc.id);
      if (chosen.length >= want) break;
    }
    if (snap.docs.length < pageSize) break;
    last = snap.docs[snap.docs.length - 1];
  }
  return chosen;
}
