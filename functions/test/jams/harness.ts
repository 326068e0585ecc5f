import { addEntry, createJam, type JamDeps } from "../../src/jams/room";
import { db } from "../helpers/firestore";
import { testCache } from "../helpers/redis";

/** The jam functions' dependencies on the test run's Firestore emulator and Redis. */
export const jamDeps = (): JamDeps => ({ db: db(), cache: testCache() });

export async function jamWithEntries(deps: JamDeps, count: number): Promise<{ jamId: string; entryIds: string[] }> {
  const { jamId } = await createJam(deps, "host", "load test");
  const entryIds: string[] = [];
  for (let i = 0; i < count; i++) entryIds.push((await addEntry(deps, "host", { jamId, title: `entry ${i}` })).entryId);
  return { jamId, entryIds };
}

/** Participant p's votes: switching up, down, clearing and back, ending at a value that
 *  depends on p, so the final counts are known in advance too. */
export function ballots(p: number, rounds: number): Array<1 | -1 | 0> {
  const cycle: Array<1 | -1 | 0> = [1, -1, 0];
  const votes = Array.from({ length: rounds - 1 }, (_, i) => cycle[(p + i) % 3]!);
  return [...votes, cycle[p % 3]!];
}
