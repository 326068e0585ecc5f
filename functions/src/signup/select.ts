import type { Firestore, QueryDocumentSnapshot } from "firebase-admin/firestore";
import { generations } from "../mirror/paths";
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

function imageOf(doc: QueryDocumentSnapshot): SignupImage | null {
  const first = (doc.get("images") as Array<Record<string, unknown>> | undefined)?.[0];
  if (!first || typeof first.url !== "string") return null;
  const image: SignupImage = {
    historyId: doc.id,
    uid: String(doc.get("uid")),
    url: first.url,
    aestheticScore: Number(doc.get("aestheticScore")),
  };
  for (const key of ["thumbnailUrl", "avifUrl", "width", "height"] as const)
    if (first[key] !== undefined) Object.assign(image, { [key]: first[key] });
  const username = doc.get("createdBy.username");
  if (typeof username === "string") image.username = username;
  return image;
}

/** The best public images: highest aestheticScore at or above the threshold, with an image,
 *  at most `perCreator` per creator. The public mirror only holds live public items, so
 *  deleted and private ones cannot appear. Pages through the ranking until enough are found. */
export async function selectSignupImages(db: Firestore, settings: SignupSettings): Promise<SignupImage[]> {
  const chosen: SignupImage[] = [];
  const perCreator = new Map<string, number>();
  let last: QueryDocumentSnapshot | undefined;
  const pageSize = Math.max(50, settings.count * 4);
  for (let page = 0; page < 20 && chosen.length < settings.count; page++) {
    let query = db
      .collection(generations)
      .where("aestheticScore", ">=", settings.minScore)
      .orderBy("aestheticScore", "desc")
      .limit(pageSize);
    if (last) query = query.startAfter(last);
    const snap = await query.get();
    for (const doc of snap.docs) {
      const image = imageOf(doc);
      const count = perCreator.get(image?.uid ?? "") ?? 0;
      if (!image || count >= settings.perCreator) continue;
      perCreator.set(image.uid, count + 1);
      chosen.push(image);
      if (chosen.length >= settings.count) break;
    }
    if (snap.docs.length < pageSize) break;
    last = snap.docs[snap.docs.length - 1];
  }
  return chosen;
}
