import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import type { Cache } from "../src/cache/cache";
import { families, writes } from "../src/cache/map";
import { updateAestheticScore } from "../src/admin/update-score";
import { setLike } from "../src/images/likes";
import { addEntry, createJam } from "../src/jams/room";
import { vote } from "../src/jams/vote";
import { mirrorQueue, sourcePath } from "../src/mirror/paths";
import { processTask } from "../src/mirror/process";
import { syncItem } from "../src/mirror/rebuild";
import { db } from "../src/shared/firebase";
import { startCacheHarness, type CacheHarness } from "../test/cache/harness";
import { sourceItem } from "../test/helpers/fixtures";
import { setBackgroundTriggers } from "../test/helpers/firestore";

/**
 * What each operation costs in Redis, on the Upstash bridge with a counting proxy in front
 * (test/cache/harness.ts): HTTP round trips, the commands the client sends, and the commands
 * Redis runs (INFO commandstats, which counts a script once plus every command it calls: how
 * Upstash's own cost tables count a script, upstash.com/docs/redis/sdks/ratelimit-ts/costs).
 * Each operation is measured warm (its scripts loaded, as in a running instance), after one
 * untimed run.
 */

/** Upstash pay-as-you-go, upstash.com/pricing/redis (unchanged since the 2025-03-12 repricing,
 *  checked 2026-12-07): $0.20 per 100,000 commands. */
const dollarsPerCommand = 0.2 / 100_000;

interface Cost {
  operation: string;
  roundTrips: number;
  sent: number;
  run: number;
  /** What Redis ran, by command. */
  ran: string;
}

async function commandsRun(h: CacheHarness): Promise<{ total: number; ran: string }> {
  const info = await h.direct.info("commandstats");
  const counts: [string, number][] = [];
  for (const [, name, calls] of info.matchAll(/cmdstat_([\w|]+):calls=(\d+)/g))
    // Left out: the bench's own INFO and CONFIG RESETSTAT, and the bridge's key check (COMMAND
    // GETKEYS in its Lua prelude, tools/redis/script-flags.ts), which Upstash does not run.
    if (!/^(info|config|command\|getkeys)/.test(name!)) counts.push([name!.toUpperCase(), Number(calls)]);
  counts.sort((a, b) => b[1] - a[1]);
  return { total: counts.reduce((n, [, c]) => n + c, 0), ran: counts.map(([name, c]) => `${name} ${c}`).join(", ") };
}

/** Runs `operation` once to warm it (unless told not to), then `setup`, then `operation` counted. */
async function measure(
  h: CacheHarness,
  name: string,
  operation: () => Promise<unknown>,
  options: { warm?: boolean; setup?: () => Promise<unknown> } = {},
): Promise<Cost> {
  if (options.warm ?? true) await operation();
  await options.setup?.();
  await h.direct.config("RESETSTAT");
  h.reset();
  await operation();
  const { total, ran } = await commandsRun(h);
  return { operation: name, roundTrips: h.requests.length, sent: h.requests.reduce((n, r) => n + r.commands.length, 0), run: total, ran };
}

const cards = Array.from({ length: 20 }, (_, i) => `card:creator${i}`);
const page = { sort: "recent", limit: 20, cursor: null } as const;
const pageLoader = async (dependOn: (tags: string[]) => Promise<void>) => {
  await dependOn(cards);
  return { items: cards };
};

export async function costTable(): Promise<void> {
  const h = await startCacheHarness();
  await setBackgroundTriggers(false); // the follow-up work is run here, on the counted cache
  try {
    const cache: Cache = h.newCache({ timeoutMs: 5_000 });
    const costs: Cost[] = [];
    const id = `cost-${Date.now()}`;
    costs.push(
      await measure(h, "warm hit, one family (publicGeneration)", () =>
        cache.getOrLoad(families.generation, { historyId: id }, async () => ({ id })),
      ),
    );
    costs.push(
      await measure(h, "warm hit with a join of 20 creators (a feed page)", () => cache.getOrLoad(families.feedPage, page, pageLoader)),
    );
    await cache.getOrLoad(families.feedPage, page, pageLoader);
    costs.push(
      await measure(
        h,
        "the same hit on an instance that never read the page (or whose join changed)",
        () => h.newCache().getOrLoad(families.feedPage, page, pageLoader),
        {
          warm: false,
        },
      ),
    );
    costs.push(
      await measure(h, "miss and fill with a join of 20 creators", () => cache.getOrLoad(families.feedPage, page, pageLoader), {
        setup: () => cache.invalidate(["feed:public"]),
      }),
    );
    costs.push(
      await measure(h, "a write's bump (mirrorChanged: 3 tags)", () =>
        cache.invalidate(writes.mirrorChanged.tags({ uid: "ann", historyId: id })),
      ),
    );

    // A score update: the callable (its transaction, the tag bump) and the mirror task it enqueues.
    const uid = "cost-owner";
    await db()
      .doc(sourcePath(uid, id))
      .set(sourceItem(uid, { prompt: "cost of a score" }));
    await syncItem(db(), (tags) => cache.bump(tags), uid, id, Date.now());
    const taskDeps = { db: db(), workerId: "bench", leaseMs: 60_000, now: Date.now, invalidate: (tags: string[]) => cache.bump(tags) };
    let score = 1;
    costs.push(
      await measure(h, "a score update (updateAestheticScore and its mirror task)", async () => {
        await updateAestheticScore({ db: db(), cache }, "bench-admin", { uid, historyId: id, score: score++ });
        const tasks = await db().collection(mirrorQueue).where("historyId", "==", id).where("status", "==", "pending").get();
        for (const task of tasks.docs) await processTask(taskDeps, task.id);
      }),
    );
    let liker = 0;
    costs.push(
      await measure(h, "a like (likeImage, its notification)", () => setLike({ db: db(), cache }, `cost-liker-${liker++}`, id, true)),
    );
    const jamDeps = { db: db(), cache };
    const { jamId } = await createJam(jamDeps, "host", "cost");
    const { entryId } = await addEntry(jamDeps, "host", { jamId, title: "entry" });
    let voter = 0;
    costs.push(await measure(h, "a vote (vote)", () => vote(jamDeps, `cost-voter-${voter++}`, { jamId, entryId, value: 1 })));
    const limiter = (redis: Redis) =>
      new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(60, "1 m"),
        prefix: "fresco:rl:bench",
        analytics: false,
        ephemeralCache: false,
      });
    const ratelimit = limiter(h.client());
    costs.push(await measure(h, "a rate limit check (@upstash/ratelimit sliding window)", () => ratelimit.limit("caller")));

    console.log("\n### Redis cost per operation (round trips and commands, warm)\n");
    console.log("| operation | round trips | commands sent | commands run (billed) | $ per 1M at $0.20 / 100K | what Redis ran |");
    console.log("| --- | ---: | ---: | ---: | ---: | --- |");
    for (const c of costs)
      console.log(
        `| ${c.operation} | ${c.roundTrips} | ${c.sent} | ${c.run} | ${(c.run * 1_000_000 * dollarsPerCommand).toFixed(2)} | ${c.ran} |`,
      );
    const scripts = h.bridge.scripts();
    console.log(
      `\nscripts seen by the bridge: ${scripts.length}, key-locked ${scripts.filter((s) => s.keyLocked).length}, run inside MULTI/EXEC ${scripts.reduce((n, s) => n + s.inTransaction, 0)} times`,
    );
  } finally {
    await setBackgroundTriggers(true);
    await h.close();
  }
}
