/**
 * updateAestheticScore's promise: when it answers "confirmed", no reader on any instance sees
 * the old score; when Redis will not take the tag bump in time, it answers "pending" and the
 * outbox keeps the invalidation. Two cache instances on one Redis (the harness's), where only
 * the writer's bump requests fail (the proxy fails them for that client alone); real Firestore.
 */
import { createHash } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import { updateAestheticScore } from "../../src/admin/update-score";
import type { Cache } from "../../src/cache/cache";
import { bumpScript } from "../../src/cache/entry";
import { redisKeys } from "../../src/cache/keys";
import { families, writes } from "../../src/cache/map";
import { cacheInvalidations } from "../../src/cache/outbox";
import { mirrorPath, sourcePath } from "../../src/mirror/paths";
import { loadGeneration } from "../../src/mirror/public";
import { syncItem } from "../../src/mirror/rebuild";
import { scoreFields } from "../../src/mirror/score";
import { sourceItem } from "../helpers/fixtures";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { cacheHarnessForSuite, type CacheHarness } from "./harness";

let h!: CacheHarness;
cacheHarnessForSuite((started) => (h = started));
// The items are written and mirrored by hand here: no trigger may touch them meanwhile.
triggersOffDuringSuite();
beforeEach(async () => {
  await clearFirestore();
  await h.direct.flushdb();
  // Loaded, so every EVALSHA of the bump runs in Redis at once (no NOSCRIPT, no EVAL fallback).
  await h.client().scriptLoad(bumpScript.source);
});

const uid = "ann";
const bumpSha = createHash("sha1").update(bumpScript.source).digest("hex");
/** A request carrying the tag bump: the script by its SHA, or its EVAL fallback. */
const isBump = (command: string[]) =>
  (command[0] === "EVALSHA" && command[1] === bumpSha) || (command[0] === "EVAL" && command[1] === bumpScript.source);

/** A public item with a score, mirrored (its outbox entry flushed). */
async function publish(historyId: string, score: number): Promise<void> {
  const item = sourceItem(uid, { prompt: `the prompt of ${historyId}` });
  await db()
    .doc(sourcePath(uid, historyId))
    .set({ ...item, ...scoreFields(item, score) });
  expect((await syncItem(db(), async () => undefined, uid, historyId, Date.now())).outcome).toBe("written");
}

/** What publicGeneration serves through `cache`: the generation family over loadGeneration. */
const scoreSeenBy = async (cache: Cache, historyId: string) =>
  (await cache.getOrLoad(families.generation, { historyId }, () => loadGeneration(db(), historyId)))?.aestheticScore;
const scoreInFirestore = async (historyId: string) => (await db().doc(mirrorPath(historyId)).get()).get("aestheticScore") as unknown;
const outbox = async () => (await db().collection(cacheInvalidations).get()).docs.map((d) => ({ id: d.id, ...d.data() }));
const version = async (tag: string) => Number(await h.direct.get(redisKeys.tagVersion(tag)));

/** The writer and the reader: two function instances with their own caches on one Redis. */
async function instances(historyId: string) {
  const writer = h.newCache({}, "writer");
  const reader = h.newCache({}, "reader");
  // Warm the reader: the old score is cached there (one load, then a hit).
  expect(await scoreSeenBy(reader, historyId)).toBe(3);
  expect(await scoreSeenBy(reader, historyId)).toBe(3);
  expect(reader.metrics()).toMatchObject({ hits: 1, loads: 1 });
  return { writer, reader };
}

describe("updateAestheticScore when the writer's tag bump fails", () => {
  it("fails a few times, then succeeds: answers 'confirmed' only then, and the reader's very next read shows the new score", async () => {
    await publish("retry", 3);
    const { writer, reader } = await instances("retry");
    // While each failure is being answered: what Firestore holds, and what the reader serves.
    const seen: Array<{ firestore: unknown; reader: unknown }> = [];
    const failing = h.failRequests({
      client: "writer",
      match: isBump,
      times: 3,
      onFail: async () => void seen.push({ firestore: await scoreInFirestore("retry"), reader: await scoreSeenBy(reader, "retry") }),
    });

    const result = await updateAestheticScore({ db: db(), cache: writer }, "admin-1", { uid, historyId: "retry", score: 8 });

    expect(result).toMatchObject({ invalidation: "confirmed", previousScore: 3, mirrored: true, item: { aestheticScore: 8 } });
    expect(await scoreSeenBy(reader, "retry")).toBe(8); // the reader's very next read
    expect(failing.failures()).toBe(3);
    // Between the commit and the bump that got through, the reader still served the old score:
    // had the callable answered success without waiting for the confirmation, this is what the
    // admin's next read would have shown.
    expect(seen).toEqual(Array.from({ length: 3 }, () => ({ firestore: 8, reader: 3 })));
    expect(reader.metrics()).toMatchObject({ errors: 0, staleVersionMisses: 1 }); // only the writer's requests failed
    expect(await outbox()).toEqual([]);
  });

  it("Redis ran the bump but the replies were lost: the retry bumps again (harmless) and answers 'confirmed'", async () => {
    await publish("lost", 3);
    const { writer, reader } = await instances("lost");
    const before = await version("generation:lost");
    const failing = h.failRequests({ client: "writer", match: isBump, times: 2, mode: "lose-reply" });

    const result = await updateAestheticScore({ db: db(), cache: writer }, "admin-1", { uid, historyId: "lost", score: 6 });

    expect(result.invalidation).toBe("confirmed");
    expect(failing.failures()).toBe(2);
    expect(await version("generation:lost")).toBe(before + 3); // two unconfirmed bumps, one confirmed
    expect(await scoreSeenBy(reader, "lost")).toBe(6);
    expect(await outbox()).toEqual([]);
  });

  it("always fails: answers 'pending' at the deadline, keeps the outbox entry, and a replay once Redis is back shows the new score", async () => {
    await publish("stuck", 3);
    const { writer, reader } = await instances("stuck");
    const failing = h.failRequests({ client: "writer", match: isBump });

    const t0 = Date.now();
    const result = await updateAestheticScore({ db: db(), cache: writer, invalidationDeadlineMs: 800 }, "admin-1", {
      uid,
      historyId: "stuck",
      score: 9,
    });
    const tookMs = Date.now() - t0;

    expect(result).toMatchObject({ invalidation: "pending", item: { aestheticScore: 9 } }); // never a plain success
    expect(failing.failures()).toBeGreaterThanOrEqual(3); // it retried up to the deadline...
    expect(tookMs).toBeLessThan(800 + 3_000); // ...and not much longer
    expect(await outbox()).toEqual([
      {
        id: expect.stringMatching(/^score-/),
        tags: writes.mirrorChanged.tags({ uid, historyId: "stuck" }),
        createdAt: expect.any(Timestamp),
        attempts: failing.failures(),
        lastError: expect.stringContaining("injected failure"),
      },
    ]);
    expect(await scoreInFirestore("stuck")).toBe(9);
    expect(await scoreSeenBy(reader, "stuck")).toBe(3); // what "pending" warns about

    failing.stop(); // Redis takes the writer's requests again
    expect(await writer.replayOutbox()).toEqual({ replayed: 1, ok: true });
    expect(await outbox()).toEqual([]);
    expect(await scoreSeenBy(reader, "stuck")).toBe(9);
  });
});
