import { Timestamp, type DocumentData } from "firebase-admin/firestore";

/** A mirror document as the public reads serve it: JSON-safe, timestamps as ISO strings,
 *  `historyId` and `uid` always present. */
export type PublicItem = Record<string, unknown> & { historyId: string; uid: string };

function toJson(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

export function publicItem(id: string, data: DocumentData): PublicItem {
  return { ...(toJson(data) as Record<string, unknown>), historyId: id, uid: String(data.uid) };
}
