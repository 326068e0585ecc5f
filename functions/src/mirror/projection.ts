import type { Timestamp } from "firebase-admin/firestore";
import { isDeepStrictEqual } from "node:util";
import { describeIssues } from "../shared/zod";
import { optimizationFields, sourceItemSchema, type Image, type SourceItem } from "./source";

/** What `generations/{historyId}` holds, less `mirroredAt` (stamped at write time). */
export interface MirrorFields {
  uid: string;
  historyId: string;
  prompt: string;
  model: string;
  images: Image[];
  videos: SourceItem["videos"];
  aestheticScore?: number;
  createdAt: Timestamp;
  updatedAt?: Timestamp;
  createdBy: SourceItem["createdBy"];
  /** The source document's update time in microseconds: grows with every source write. */
  sourceVersion: number;
}

export class InvalidSourceError extends Error {
  override name = "InvalidSourceError";
}

/** Drops keys whose value is undefined, so equality with a stored document is exact. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The one decision of what the public mirror holds for a source item: null when the item
 *  must not be public (private, soft-deleted, or gone). Throws on a malformed source. */
export function projectGeneration(source: unknown, ids: { uid: string; historyId: string }, sourceVersion: number): MirrorFields | null {
  if (source === undefined) return null;
  const parsed = sourceItemSchema.safeParse(source);
  if (!parsed.success) throw new InvalidSourceError(`source item is invalid: ${describeIssues(parsed.error, "item", 20)}`);
  const item = parsed.data;
  if (!item.isPublic || item.isDeleted) return null;
  return defined({
    uid: ids.uid,
    historyId: ids.historyId,
    prompt: item.prompt,
    model: item.model,
    images: item.images.map(defined),
    videos: item.videos.map(defined),
    aestheticScore: item.aestheticScore,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    createdBy: defined(item.createdBy),
    sourceVersion,
  });
}

/** Smart merge: a medium whose URL is unchanged keeps the optimization fields the mirror
 *  already has (a thumbnailer may have added them), unless the source sets its own. */
export function keepOptimizations<M extends Image>(projected: M[], existing: unknown): M[] {
  if (!Array.isArray(existing)) return projected;
  const byUrl = new Map<string, Record<string, unknown>>();
  for (const old of existing as Array<Record<string, unknown>>) {
    if (old && typeof old.url === "string" && !byUrl.has(old.url)) byUrl.set(old.url, old);
  }
  return projected.map((medium) => {
    const old = byUrl.get(medium.url);
    if (!old) return medium;
    const merged: Record<string, unknown> = { ...medium };
    for (const field of optimizationFields) {
      if (merged[field] === undefined && typeof old[field] === "string") merged[field] = old[field];
    }
    return merged as M;
  });
}

/** The mirror document to hold: the projection, merged with the current mirror's optimizations. */
export function desiredMirror(projected: MirrorFields | null, current: Record<string, unknown> | undefined): MirrorFields | null {
  if (!projected) return null;
  return {
    ...projected,
    images: keepOptimizations(projected.images, current?.images),
    videos: keepOptimizations(projected.videos, current?.videos),
  };
}

/** True when the stored mirror already equals `desired` (ignoring when it was written). */
export function mirrorMatches(desired: MirrorFields | null, current: Record<string, unknown> | undefined): boolean {
  if (!desired || !current) return !desired && !current;
  const { mirroredAt: _ignored, ...stored } = current;
  return isDeepStrictEqual(stored, desired);
}
