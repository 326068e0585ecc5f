import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";

/**
 * The pool's order is newest first: (createdAt desc, artworkId desc). What a user has been
 * shown is kept as bands of that order, `{ hi, lo }` (both ends included), newest band first,
 * each meaning "every artwork in here has been shown to this user", plus an impression per
 * artwork outside them. A nextArtworks call reads only the gaps between bands, newest first,
 * so its cost does not grow with what the user has seen.
 *
 * A band only ever covers SETTLED keys: those older than the scan's read time less `settleMs`.
 * An artwork's createdAt is its creating commit's server time, and a commit becomes visible
 * within seconds of that time; so an artwork that a scan did not see can never appear later
 * inside a band the scan made, and a band can never hide an unseen artwork. Newer keys are
 * covered by their impressions alone, until a later scan passes over them settled.
 *
 * Artwork ids are ASCII (auto ids and base64url request ids), so JavaScript's string order is
 * Firestore's order of document ids.
 */
export interface PoolKey {
  t: Timestamp;
  id: string;
}
export interface Band {
  hi: PoolKey;
  lo: PoolKey;
}

/** The id of a key that is not an artwork's: "!" sorts below every artwork id (A-Z a-z 0-9 _ -),
 *  so (t, "!") lies just below every artwork made at t, and a cursor can still name it. */
export const belowIds = "!";
/** Below every artwork: no server time is before 1970. */
export const bottomKey: PoolKey = { t: new Timestamp(0, 0), id: belowIds };
export const settleMs = 60_000;
/** The most bands a user keeps; past it the two oldest merge (the artworks between them are
 *  then never offered to this user: old ones, buried under everything newer). */
export const maxBands = 100;

export function compareKeys(a: PoolKey, b: PoolKey): number {
  return a.t.seconds - b.t.seconds || a.t.nanoseconds - b.t.nanoseconds || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The horizon of a scan read at `readTime`: every key at or below it is settled. */
export function horizonOf(readTime: Timestamp): PoolKey {
  return { t: Timestamp.fromMillis(Math.max(0, readTime.toMillis() - settleMs)), id: belowIds };
}

/** The gaps between bands, newest first: gap i lies below band i-1 (`above`, excluded) and
 *  above band i (`below`, excluded); gap 0 has nothing above, the last nothing below. */
export function gapsOf(bands: Band[]): Array<{ above?: PoolKey; below?: PoolKey }> {
  return Array.from({ length: bands.length + 1 }, (_, i) => ({
    ...(i > 0 ? { above: bands[i - 1]!.lo } : {}),
    ...(i < bands.length ? { below: bands[i]!.hi } : {}),
  }));
}

/** How far a scan got in one gap: down to this key (included), or through all of it. */
export type Covered = PoolKey | "all";

/**
 * The bands after a scan that examined, in gap i, everything from its top down to `covered[i]`
 * (every artwork there was shown now or before). Gap 0 is clipped at the horizon; a gap
 * covered whole joins the bands around it. Past `maxBands`, the oldest bands merge.
 */
export function coverBands(bands: Band[], covered: Map<number, Covered>, horizon: PoolKey): Band[] {
  const out: Band[] = [];
  let current: Band | undefined;
  const top = covered.get(0);
  if (top === "all") current = { hi: horizon, lo: bottomKey };
  else if (top && compareKeys(top, horizon) <= 0) out.push({ hi: horizon, lo: top });
  for (let i = 0; i < bands.length; i++) {
    const band = bands[i]!;
    current = current ? { hi: current.hi, lo: band.lo } : { ...band };
    const below = covered.get(i + 1);
    if (below === "all") {
      if (i + 1 === bands.length) current.lo = bottomKey;
      continue;
    }
    if (below) current.lo = below;
    out.push(current);
    current = undefined;
  }
  if (current) out.push(current);
  while (out.length > maxBands) out[out.length - 2]!.lo = out.pop()!.lo;
  return out;
}

const storedKey = z.object({ t: z.instanceof(Timestamp), id: z.string() });
const storedBands = z.array(z.object({ hi: storedKey, lo: storedKey })).max(maxBands);

/** The bands a viewer document holds; anything unreadable counts as none (the impressions
 *  still hold everything shown, so a lost band costs reads, never a repeat). */
export function bandsOf(value: unknown): Band[] {
  const parsed = storedBands.safeParse(value ?? []);
  return parsed.success ? parsed.data : [];
}
