import { DocumentReference, GeoPoint, Timestamp } from "firebase-admin/firestore";
import { partMaxBytes, type SnapshotEntry } from "./model";

/**
 * The storage size of a value as Firestore counts it against the 1 MiB document limit
 * (cloud.google.com/firestore/docs/storage-size). JSON length is not a safe proxy: a number
 * is 8 bytes however short its text, and every map key costs its length + 1.
 */
export function storageSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === "boolean") return 1;
  if (typeof value === "number" || typeof value === "bigint") return 8;
  if (typeof value === "string") return Buffer.byteLength(value) + 1;
  if (value instanceof Timestamp || value instanceof Date) return 8;
  if (value instanceof GeoPoint) return 16;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof DocumentReference) return Buffer.byteLength(value.path) + 16;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + storageSize(v), 0);
  if (typeof value === "object") {
    let sum = 0;
    for (const [key, v] of Object.entries(value)) sum += Buffer.byteLength(key) + 1 + storageSize(v);
    return sum;
  }
  return 8;
}

/** Splits entries (in id order) into consecutive chunks of at most `maxBytes` each. An
 *  element bigger than that (an element document may hold up to 1 MiB) gets a part of its
 *  own, which still fits unless the element itself is at Firestore's limit. */
export function splitIntoParts(entries: SnapshotEntry[], maxBytes = partMaxBytes): SnapshotEntry[][] {
  const parts: SnapshotEntry[][] = [];
  let current: SnapshotEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = storageSize(entry);
    if (bytes + size > maxBytes && current.length > 0) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
