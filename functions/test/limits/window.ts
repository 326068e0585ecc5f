/** Rate limits count in fixed one-minute windows (src/limits/rate.ts): a test that counts
 *  calls starts with at least `leftMs` of its window to go, so its calls never span two windows
 *  and the counts are exact. */
export async function withinOneWindow(leftMs: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < leftMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
