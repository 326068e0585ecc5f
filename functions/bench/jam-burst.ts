import { randomUUID } from "node:crypto";
import { callCallable, createUser, idTokenFor } from "../test/helpers/auth";
import { percentile } from "../test/helpers/stats";

/**
 * `npm run bench:jam-burst`: BENCH_VOTERS (40) people vote at once in a jam through the
 * Functions emulator of a fresh stack (its workers cold, as right after `npm start`). Each call
 * gets the client SDK's default callable timeout (70 s): one that takes longer counts as
 * `deadline-exceeded`, as the apps would see it. Prints the burst's wall time, how many were
 * acknowledged, and the errors by code.
 */
const voters = Number(process.env.BENCH_VOTERS ?? 40);
const clientTimeoutMs = 70_000;

async function main(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const uids = Array.from({ length: voters + 1 }, (_, i) => `burst-${run}-${i}`);
  await Promise.all(uids.map((uid) => createUser(uid)));
  const tokens = await Promise.all(uids.map(idTokenFor));
  const host = tokens[0]!;
  const jam = await callCallable<{ jamId: string }>("createJam", { title: `burst ${run}` }, host);
  if (!jam.result) throw new Error(`createJam: ${JSON.stringify(jam.error)}`);
  const entry = await callCallable<{ entryId: string }>("addEntry", { jamId: jam.result.jamId, title: "the one" }, host);
  if (!entry.result) throw new Error(`addEntry: ${JSON.stringify(entry.error)}`);

  const started = performance.now();
  const outcomes = await Promise.all(
    tokens.slice(1).map(async (token) => {
      const t = performance.now();
      const call = callCallable("vote", { jamId: jam.result!.jamId, entryId: entry.result!.entryId, value: 1 }, token).then(
        (r) => (r.result !== undefined ? "ok" : (r.error?.status ?? `http ${r.status}`)),
        (error: unknown) => `fetch failed: ${String(error)}`,
      );
      const timeout = new Promise<string>((resolve) =>
        setTimeout(() => resolve("DEADLINE_EXCEEDED (client, 70 s)"), clientTimeoutMs).unref(),
      );
      return { outcome: await Promise.race([call, timeout]), ms: performance.now() - t };
    }),
  );
  const wall = performance.now() - started;
  const byOutcome = new Map<string, number>();
  for (const o of outcomes) byOutcome.set(o.outcome, (byOutcome.get(o.outcome) ?? 0) + 1);
  const times = outcomes.map((o) => o.ms);
  console.log(`\n### ${voters} people vote at once through the Functions emulator (fresh stack, cold workers)\n`);
  console.log("| voters | acknowledged | errors | burst wall time (s) | slowest call (s) | median call (s) |");
  console.log("| ---: | ---: | --- | ---: | ---: | ---: |");
  const errors = [...byOutcome].filter(([k]) => k !== "ok").map(([k, n]) => `${n} ${k}`);
  console.log(
    `| ${voters} | ${byOutcome.get("ok") ?? 0} | ${errors.join(", ") || "none"} | ${(wall / 1000).toFixed(1)} | ${(Math.max(...times) / 1000).toFixed(1)} | ${(percentile(times, 50) / 1000).toFixed(1)} |`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
