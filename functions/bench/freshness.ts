import { Timestamp } from "firebase-admin/firestore";
import { mirrorPath, sourcePath } from "../src/mirror/paths";
import { db } from "../src/shared/firebase";
import { createAdmin, idTokenFor } from "../test/helpers/auth";
import { sourceItem } from "../test/helpers/fixtures";
import { functionUrl } from "../test/helpers/emulators";
import { percentile } from "../test/helpers/stats";

// `npm run bench:freshness`: how soon a write shows in the public feed, end to end on the
// emulators: (a) the admin callable returns -> the feed shows the new score (reads needed and
// time), (b) a user's direct source write -> the feed shows it (the trigger path).
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const fn = functionUrl;

async function feedItem(id: string): Promise<{ prompt: string; aestheticScore?: number } | undefined> {
  const body = (await (await fetch(`${fn("publicFeed")}?sort=recent&limit=50`)).json()) as {
    items: Array<{ historyId: string; prompt: string; aestheticScore?: number }>;
  };
  return body.items.find((i) => i.historyId === id);
}

async function feedScore(id: string): Promise<number | undefined> {
  const body = (await (await fetch(`${fn("publicFeed")}?sort=recent&limit=50`)).json()) as {
    items: Array<{ historyId: string; aestheticScore?: number }>;
  };
  return body.items.find((i) => i.historyId === id)?.aestheticScore;
}

const pct = percentile; // short, for the table rows

async function main(): Promise<void> {
  const id = "fresh-1";
  await db()
    .doc(sourcePath("bench", id))
    .set(sourceItem("bench", { prompt: "freshness", aestheticScore: 1, createdAt: Timestamp.now(), updatedAt: Timestamp.now() }));
  while ((await db().doc(mirrorPath(id)).get()).get("aestheticScore") !== 1) await new Promise((r) => setTimeout(r, 50));
  const token = await idTokenFor(await createAdmin("bench-admin"));
  const callable = { ms: [] as number[], reads: [] as number[] };
  const direct: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const score = (i % 90) / 10 + 0.05;
    await fetch(fn("updateAestheticScore"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ data: { historyId: id, uid: "bench", score } }),
    });
    const t0 = performance.now();
    let reads = 1;
    while ((await feedScore(id)) !== score) reads++;
    callable.ms.push(performance.now() - t0);
    callable.reads.push(reads);
  }
  for (let i = 0; i < rounds; i++) {
    const prompt = `freshness, edit ${i}`;
    const t0 = performance.now();
    await db().doc(sourcePath("bench", id)).update({ prompt, updatedAt: Timestamp.now() }); // the owner edits the item
    while ((await feedItem(id))?.prompt !== prompt) await new Promise((r) => setTimeout(r, 10));
    direct.push(performance.now() - t0);
  }
  const firstReadShare = callable.reads.filter((r) => r === 1).length / rounds;
  console.log(`\nFreshness of the public feed, ${rounds} writes each (ms)\n`);
  console.log("| path | p50 | p99 | max | shown on the very next read |\n| --- | ---: | ---: | ---: | ---: |");
  console.log(
    `| updateAestheticScore returns -> feed shows it | ${pct(callable.ms, 50).toFixed(0)} | ${pct(callable.ms, 99).toFixed(0)} | ${Math.max(...callable.ms).toFixed(0)} | ${(firstReadShare * 100).toFixed(1)}% |`,
  );
  console.log(
    `| owner edits the source -> feed shows it (trigger path) | ${pct(direct, 50).toFixed(0)} | ${pct(direct, 99).toFixed(0)} | ${Math.max(...direct).toFixed(0)} | n/a |`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
