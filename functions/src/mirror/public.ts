import { Timestamp, type DocumentData, type Firestore } from "firebase-admin/firestore";
import { generations } from "./paths";
import { bookkeepingFields } from "./projection";

/** A mirror document as the public reads serve it: JSON-safe, timestamps as ISO strings,
 *  `historyId` and `uid` always present, bookkeeping fields left out. */
export type PublicItem = Record<string, unknown> & { historyId: string; uid: string };

/** Fields of mirror or source documents that only the pipeline reads. */
const internalFields = new Set<string>([...bookkeepingFields, "aestheticScoreFor", "promptWords"]);

function toJson(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

export function publicItem(id: string, data: DocumentData): PublicItem {
  const visible = Object.fromEntries(Object.entries(data).filter(([key]) => !internalFields.has(key)));
  return { ...(toJson(visible) as Record<string, unknown>), historyId: id, uid: String(data.uid) };
}

/** One public item, or null when it is not public. */
export async function loadGeneration(db: Firestore, historyId: string): Promise<PublicItem | null> {
  const snap = await db.collection(generations).doc(historyId).get();
  return snap.exists ? publicItem(snap.id, snap.data()!) : null;
}
