import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { collection, onSnapshot } from "firebase/firestore";
import { Cache } from "../src/cache/cache";
import { redis } from "../src/cache/redis";
import { entryPath, jamPath, votePath } from "../src/jams/model";
import { voteDebugInfo } from "../src/jams/queue";
import { addEntry, createJam, type JamDeps } from "../src/jams/room";
import { vote } from "../src/jams/vote";
import { auth, db } from "../src/shared/firebase";
import { signedInApp, type SignedInApp } from "../test/helpers/sdk";
import { percentile } from "../test/helpers/stats";

// `npm run bench:votes`: 200 participants voting at once, each switching 4 times, on one hot
// entry and on 20 entries: Fresco's vote (sharded tally) next to a naive vote (one
// transaction on the entry document), with listeners on the entries (Firebase JS SDK).
// Exactness is asserted for Fresco: counts equal a recount of the vote documents.
const participants = Number(process.env.BENCH_PARTICIPANTS ?? 200);
const rounds = 4;
const listeners = 5;
const hub = process.env.FIREBASE_EMULATOR_HUB ?? "127.0.0.1:4400";

type Vote = (jamId: string, entryId: string, uid: string, value: 1 | -1 | 0) => Promise<unknown>;

/** The baseline: one transaction reads the entry and the vote and writes both. */
const naiveVote: Vote = (jamId, entryId, uid, value) =>
  db().runTransaction(async (tx) => {
    const entryRef = db().doc(entryPath(jamId, entryId));
    const voteRef = db().doc(votePath(jamId, entryId, uid));
    const [entry, ballot] = await tx.getAll(entryRef, voteRef);
    if (!entry!.exists) throw new Error("no entry");
    const from = ballot!.exists ? (ballot!.get("value") as number) : 0;
    if (from === value) return;
    const up = Number(value === 1) - Number(from === 1);
    const down = Number(value === -1) - Number(from === -1);
    if (value === 0) tx.delete(voteRef);
    else tx.set(voteRef, { entryId, uid, value });
    tx.update(entryRef, {
      upvotes: FieldValue.increment(up),
      downvotes: FieldValue.increment(down),
      score: FieldValue.increment(up - down),
    });
  });

const cycle: Array<1 | -1 | 0> = [1, -1, 0];
/** Participant p switches up, down, clears, then ends on a value that depends on p. */
const ballots = (p: number): Array<1 | -1 | 0> => [...cycle, cycle[p % 3]!].slice(0, rounds);

async function recount(jamId: string) {
  const votes = await db()
    .collection(`${jamPath(jamId)}/votes`)
    .get();
  const counts = new Map<string, string>();
  const tally = new Map<string, [number, number]>();
  for (const d of votes.docs) {
    const [up, down] = tally.get(d.get("entryId")) ?? [0, 0];
    tally.set(d.get("entryId"), d.get("value") === 1 ? [up + 1, down] : [up, down + 1]);
  }
  for (const [id, [up, down]] of tally) counts.set(id, `${up}/${down}`);
  return counts;
}

async function run(label: string, fn: Vote, entries: number, apps: SignedInApp[], deps: JamDeps) {
  const { jamId } = await createJam(deps, "bench-host", label);
  const entryIds: string[] = [];
  for (let i = 0; i < entries; i++) entryIds.push((await addEntry(deps, "bench-host", { jamId, title: `entry ${i}` })).entryId);
  const seen = apps.map(() => new Map<string, string>());
  const stops = apps.map((app, i) =>
    onSnapshot(collection(app.firestore, `jams/${jamId}/entries`), (snap) =>
      snap.docs.forEach((d) => seen[i]!.set(d.id, `${d.get("upvotes")}/${d.get("downvotes")}`)),
    ),
  );
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: participants }, async (_, p) => {
      for (const value of ballots(p)) {
        const t = performance.now();
        await fn(jamId, entryIds[p % entries]!, `p-${p}`, value).then(
          () => latencies.push(performance.now() - t),
          () => errors++,
        );
      }
    }),
  );
  const doneAt = performance.now();
  const truth = await recount(jamId);
  for (const id of entryIds) if (!truth.has(id)) truth.set(id, "0/0");
  let caughtUp = Number.NaN;
  for (const deadline = doneAt + 30_000; performance.now() < deadline; await new Promise((r) => setTimeout(r, 5))) {
    if (seen.every((s) => entryIds.every((id) => s.get(id) === truth.get(id)))) {
      caughtUp = performance.now() - doneAt;
      break;
    }
  }
  stops.forEach((stop) => stop());
  const stored = await Promise.all(entryIds.map(async (id) => (await db().doc(entryPath(jamId, id)).get()).data()!));
  const exact = stored.every((e, i) => `${e.upvotes}/${e.downvotes}` === truth.get(entryIds[i]!));
  const seconds = (doneAt - started) / 1000;
  return { label, entries, ok: latencies.length, errors, seconds, latencies, caughtUp, exact, jamId };
}

async function main(): Promise<void> {
  await fetch(`http://${hub}/functions/disableBackgroundTriggers`, { method: "PUT" });
  const apps: SignedInApp[] = [];
  for (let i = 0; i < listeners; i++) {
    const uid = `bench-listener-${i}`;
    await auth()
      .createUser({ uid })
      .catch(() => undefined);
    apps.push(await signedInApp(uid, uid));
  }
  const deps: JamDeps = { db: db(), cache: new Cache({ redis: redis(), db: db() }) };
  const fresco: Vote = (jamId, entryId, uid, value) => vote(deps, uid, { jamId, entryId, value });
  const rows = [];
  for (const entries of [1, 20]) {
    rows.push(await run(`naive, ${entries} entries`, naiveVote, entries, apps, deps));
    const mine = await run(`Fresco, ${entries} entries`, fresco, entries, apps, deps);
    const info = await voteDebugInfo(db(), mine.jamId, 1);
    if (!mine.exact || mine.errors > 0 || !info.entries.every((e) => e.agree))
      throw new Error(`Fresco's counts are not exact: ${JSON.stringify(info.entries.filter((e) => !e.agree))}`);
    rows.push(mine);
    console.log(`[bench] ${entries} entries done`);
  }
  for (const app of apps) await app.close();
  const base = new Map(rows.filter((r) => r.label.startsWith("naive")).map((r) => [r.entries, r.ok / r.seconds]));
  console.log(
    `\nJam votes: ${participants} participants x ${rounds} votes each at once (Firestore emulator, Redis; ${listeners} JS SDK listeners on the entries; ${Timestamp.now().toDate().toISOString()})\n`,
  );
  console.log(
    "| configuration | votes acknowledged | errors | votes/s | vs naive | ack p50 (ms) | ack p99 (ms) | listeners at final counts after (ms) | counts exact |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  );
  for (const r of rows)
    console.log(
      `| ${r.label} | ${r.ok} | ${r.errors} | ${(r.ok / r.seconds).toFixed(0)} | ${(r.ok / r.seconds / base.get(r.entries)!).toFixed(2)}x | ${percentile(r.latencies, 50).toFixed(0)} | ${percentile(r.latencies, 99).toFixed(0)} | ${Number.isNaN(r.caughtUp) ? "never (30 s)" : r.caughtUp.toFixed(0)} | ${r.exact ? "yes" : "NO"} |`,
    );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
