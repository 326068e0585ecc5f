import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { Timestamp } from "firebase-admin/firestore";
import { describeIssues } from "../shared/zod";
import { contentFingerprint } from "./score";
import { promptWords } from "./words";
import { optimizationFields, sourceItemSchema, type Image, type SourceItem } from "./source";

/** What `generations/{historyId}` holds, less `mirroredAt` (stamped at write time). */
export interface MirrorFields {
  uid: string;
  historyId: string;
  prompt: string;
  /** The prompt's words (words.ts), for explore's array-contains query. Not served. */
  promptWords: string[];
  model: string;
  images: Image[];
  videos: SourceItem["videos"];
  aestheticScore?: number;
  createdAt: Timestamp;
  updatedAt?: Timestamp;
  createdBy: SourceItem["createdBy"];
  /** The source document's update time in microseconds: grows with every source write. */
  sourceVersion: number;
  /** Which optimization values came from the source (see `provenance`), so that one the
   *  source removes leaves the mirror too, while a thumbnailer's stays. Not served. */
  sourceOptimizations: string[];
}

/** A createdAt later than the write itself by more than this is refused: it would pin an
 *  item to the top of the newest-first feed. */
const maxClockSkewMs = 5 * 60_000;

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
  if (sourceVersion > 0 && item.createdAt.toMillis() > sourceVersion / 1000 + maxClockSkewMs) {
    throw new InvalidSourceError("source item is invalid: createdAt is later than the item was written");
  }
  if (!item.isPublic || item.isDeleted) return null;
  return defined({
    uid: ids.uid,
    historyId: ids.historyId,
    prompt: item.prompt,
    promptWords: promptWords(item.prompt),
    model: item.model,
    images: item.images.map(defined),
    videos: item.videos.map(defined),
    // A score belongs to the content it was given for (score.ts).
    aestheticScore:
      item.aestheticScoreFor !== undefined && item.aestheticScoreFor === contentFingerprint(item) ? item.aestheticScore : undefined,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    createdBy: defined(item.createdBy),
    sourceVersion,
    sourceOptimizations: [...sourceSet("images", item.images), ...sourceSet("videos", item.videos)].sort(),
  });
}

type MediaKind = "images" | "videos";

/** A short mark of one optimization value the source set for a medium. */
export function provenance(kind: MediaKind, url: string, field: string, value: string): string {
  return createHash("sha1").update(`${kind}\n${url}\n${field}\n${value}`).digest("base64url").slice(0, 12);
}

function sourceSet(kind: MediaKind, media: Image[]): string[] {
  return media.flatMap((m) => optimizationFields.flatMap((f) => (m[f] === undefined ? [] : [provenance(kind, m.url, f, m[f])])));
}

/** Smart merge: a medium whose URL is unchanged keeps an optimization field the mirror has
 *  and the source lacks, unless that value came from the source (then the source removed
 *  it, and so does the mirror): a thumbnailer writing the mirror directly keeps its work. */
export function keepOptimizations<M extends Image>(
  kind: MediaKind,
  projected: M[],
  existing: unknown,
  fromSource: ReadonlySet<string>,
): M[] {
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
      const value = old[field];
      if (merged[field] === undefined && typeof value === "string" && !fromSource.has(provenance(kind, medium.url, field, value)))
        merged[field] = value;
    }
    return merged as M;
  });
}

/** The mirror document to hold: the projection, merged with the current mirror's optimizations. */
export function desiredMirror(projected: MirrorFields | null, current: Record<string, unknown> | undefined): MirrorFields | null {
  if (!projected) return null;
  const fromSource = new Set(Array.isArray(current?.sourceOptimizations) ? (current.sourceOptimizations as string[]) : []);
  return {
    ...projected,
    images: keepOptimizations("images", projected.images, current?.images, fromSource),
    videos: keepOptimizations("videos", projected.videos, current?.videos, fromSource),
  };
}

/** Mirror fields only the pipeline reads: which source version it shows, which optimization
 *  values came from the source, when it was written. Public reads leave them out
 *  (public.ts), so a change of these alone invalidates nothing. */
export const bookkeepingFields = ["sourceVersion", "sourceOptimizations", "mirroredAt"] as const;

const withoutBookkeeping = (doc: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(doc).filter(([key]) => !(bookkeepingFields as readonly string[]).includes(key)));

/** True when `desired` and the stored mirror differ in bookkeeping only. */
export function sameContent(desired: MirrorFields | null, current: Record<string, unknown> | undefined): boolean {
  if (!desired || !current) return !desired && !current;
  return isDeepStrictEqual(withoutBookkeeping(current), withoutBookkeeping({ ...desired }));
}

/** True when both carry the same provenance marks (the source's own optimization values). */
export function sameProvenance(desired: MirrorFields | null, current: Record<string, unknown> | undefined): boolean {
  return isDeepStrictEqual(desired?.sourceOptimizations ?? [], current?.sourceOptimizations ?? []);
}

/** True when the stored mirror already equals `desired` (ignoring when it was written). */
export function mirrorMatches(desired: MirrorFields | null, current: Record<string, unknown> | undefined): boolean {
  if (!desired || !current) return !desired && !current;
  const { mirroredAt: _ignored, ...stored } = current;
  return isDeepStrictEqual(stored, desired);
}
