/** The p-th percentile of samples (nearest rank), for benchmark tables. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Benchmark table helpers: ms since t0, a figure (2 decimals under 10), "p50 / p99". */
export const msSince = (t0: number) => performance.now() - t0;
export const figure = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
export const p50p99 = (xs: number[]) => `${figure(percentile(xs, 50))} / ${figure(percentile(xs, 99))}`;
