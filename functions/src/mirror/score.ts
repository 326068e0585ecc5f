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

/** What a score stored without its fingerprint (the old platform wrote `aestheticScore`
 *  alone; so may a server-side scorer) is adopted for: the content the public mirror shows it
 *  with, which is the content it was shown for. When the source still has that content, the
 *  score stays shown; when the owner changed it since (an edit whose task had not run), the
 *  fingerprint no longer matches and the score comes off, as for any edit. An item with no
 *  mirror was never shown with its score: the score is bound to no content (the admin, or a
 *  scorer writing the fingerprint itself, scores it again). The caller stores the result on
 *  the source in the transaction that read both. */
export const contentNeverShown = "content-never-shown";

export function adoptionFingerprint(
  source: Record<string, unknown> | undefined,
  mirror: Record<string, unknown> | undefined,
): string | undefined {
  if (!source || typeof source.aestheticScore !== "number" || source.aestheticScoreFor !== undefined) return undefined;
  return mirror ? contentFingerprint(mirror) : contentNeverShown;
}
