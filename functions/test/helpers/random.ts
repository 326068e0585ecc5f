/** A seeded PRNG (mulberry32), so a randomized test that fails can be replayed with its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}

/** The seed of this run: FRESCO_SEED to replay one, otherwise fresh. Printed either way. */
export function testSeed(name: string): number {
  const seed = process.env.FRESCO_SEED ? Number(process.env.FRESCO_SEED) : Math.floor(Math.random() * 2 ** 31);
  process.stderr.write(`[${name}] seed ${seed} (replay with FRESCO_SEED=${seed})\n`);
  return seed;
}
