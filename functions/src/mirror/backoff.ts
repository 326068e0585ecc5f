/** Exponential backoff with full jitter (AWS architecture blog's "full jitter"): spreads
 *  retries of many failed tasks instead of firing them in waves. */
export function retryDelayMs(attempt: number, random = Math.random, baseMs = 2_000, capMs = 5 * 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
