import { createHash } from "node:crypto";

/** What an aestheticScore is given for: the prompt, the model and the media URLs. A score is
 *  stored with this fingerprint (`aestheticScoreFor`), and the projection shows it only while
 *  the item still has that content: editing the prompt or swapping an image takes the score
 *  off public reads (the admin scores the new content again). Thumbnails and sizes are
 *  derived from the media, so they may change without that. Works on raw source data. */
export function contentFingerprint(item: { prompt?: unknown; model?: unknown; images?: unknown; videos?: unknown }): string {
  const urls = (media: unknown) => (Array.isArray(media) ? media.map((m) => (m as { url?: unknown } | null)?.url ?? null) : []);
  const content = JSON.stringify([item.prompt ?? null, item.model ?? null, urls(item.images), urls(item.videos)]);
  return createHash("sha256").update(content).digest("base64url").slice(0, 22);
}

/** The fields that give `item` a score. */
export function scoreFields(item: Parameters<typeof contentFingerprint>[0], score: number) {
  return { aestheticScore: score, aestheticScoreFor: contentFingerprint(item) };
}

/** A score stored without its fingerprint (the old platform wrote `aestheticScore` alone, and
 *  so may a server-side scorer): the fingerprint of the content it is adopted for, i.e. the
 *  content read now, in the transaction that will store it. An owner's edit that commits first
 *  is that content (the transaction reads it); one that commits after changes the content
 *  away from the stored fingerprint and so takes the score off, as for any score. */
export function unfingerprintedScore(data: Record<string, unknown> | undefined): string | undefined {
  if (!data || typeof data.aestheticScore !== "number" || data.aestheticScoreFor !== undefined) return undefined;
  return contentFingerprint(data);
}
