import { FieldValue } from "firebase-admin/firestore";
import { FakeClock } from "../helpers/clock";
import { scoreFields } from "../../src/mirror/score";
import { sourceItem } from "../helpers/fixtures";
import { cacheInvalidations, replayOutbox } from "../../src/cache/outbox";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { processDue, processTask } from "../../src/mirror/process";
import { sweepQueue } from "../../src/mirror/sweep";
import { clearFirestore, db, triggersOffDuringSuite, withoutTriggers } from "../helpers/firestore";
import { prng, testSeed } from "../helpers/random";
import { soakSize } from "../helpers/soak";
import { crashSometimes, enqueueFor, InjectedCrash, mirrorMismatch, testDeps } from "./harness";

// Guarantee 1 (convergence) and 2 (no stale overwrite), model-based: random source writes;
// their tasks delivered duplicated, shuffled, late, to concurrent processors that crash between
// steps; then drain and compare every item to its projection. 200 operations by default (24
// items, so each sees ~8 writes), 600 under FRESCO_SOAK=1; FRESCO_MODEL_OPS=5000 for a longer
// soak (its seed line replays a failure). Contended transactions are slow on the emulator
// (about 1 s per deadlock it breaks).
const operations = Number(process.env.FRESCO_MODEL_OPS ?? soakSize(200, 600));
const users = ["ann", "ben", "cat"];
const items = Array.from({ length: 24 }, (_, i) => ({ uid: users[i % users.length]!, historyId: `gen-${i}` }));

describe("mirror convergence (randomized, seeded)", () => {
  triggersOffDuringSuite();
  beforeAll(clearFirestore);

  it(`converges after ${operations} random operations with chaotic delivery`, async () => {
    const rnd = prng(testSeed("mirror convergence"));
    const clock = new FakeClock();
    const seen = new Map<string, Set<string>>(); // url|field -> optimization values a thumbnailer wrote
    const remember = (url: string, field: string, value: string) => {
      const key = `${url}|${field}`;
      if (!seen.has(key)) seen.set(key, new Set());
      seen.get(key)!.add(value);
    };
    const taskIds: string[] = [];
    const deliveredTwiceOrMore = new Set<string>();
    let crashes = 0;
    const crashesOf = new Map<string, number>();
    const flakyInvalidate = async () => {
      if (rnd.chance(0.1)) throw new Error("redis unreachable");
    };
    const processor = (name: string) =>
      testDeps(clock, name, {
        invalidate: flakyInvalidate,
        // At most two crashes per task: five would (rightly) make it dead, which is tested elsewhere.
        afterStep: crashSometimes((_step, taskId) => {
          const crash = (crashesOf.get(taskId) ?? 0) < 2 && rnd.chance(0.08);
          if (crash) {
            crashes++;
            crashesOf.set(taskId, (crashesOf.get(taskId) ?? 0) + 1);
          }
          return crash;
        }),
      });

    // Sources set optimization fields of their own now and then (and drop them again): those
    // must leave the mirror with them. Only a thumbnailer's values may outlive the source's.
    const media = (n: number, withOptimizations: boolean) =>
      Array.from({ length: n }, (_, i) => {
        const url = `https://img.test/${rnd.int(12)}-${i}.png`;
        const m: Record<string, unknown> = { url, width: 512 };
        if (withOptimizations) m[rnd.pick(["thumbnailUrl", "avifUrl"])] = `${url}?src=${rnd.int(3)}`;
        return m;
      });

    async function randomWrite(): Promise<void> {
      const { uid, historyId } = rnd.pick(items);
      const ref = db().doc(sourcePath(uid, historyId));
      const exists = (await ref.get()).exists;
      const roll = rnd.int(10);
      if (!exists || roll === 0) {
        await ref.set(
          sourceItem(uid, { isPublic: rnd.chance(0.7), images: media(1 + rnd.int(3), rnd.chance(0.3)), prompt: `p${rnd.int(1e6)}` }),
        );
      } else if (roll === 1) {
        await ref.delete(); // hard delete
      } else if (roll === 2) {
        await ref.update({ prompt: `edited ${rnd.int(1e6)}`, updatedAt: FieldValue.serverTimestamp() });
      } else if (roll === 3) {
        await ref.update({ images: media(1 + rnd.int(3), rnd.chance(0.5)) });
      } else if (roll === 4) {
        // As the admin callable scores: with the fingerprint of the content as it is now (so a
        // later edit takes the score off the mirror), or a bare score (never public).
        const score = Math.round(rnd.next() * 1000) / 100;
        const current = (await ref.get()).data()!;
        await ref.update(
          rnd.chance(0.1)
            ? { aestheticScore: FieldValue.delete() }
            : rnd.chance(0.8)
              ? scoreFields(current, score)
              : { aestheticScore: score },
        );
      } else if (roll === 5) {
        await ref.update({ isPublic: rnd.chance(0.5) });
      } else if (roll === 6) {
        await ref.update({ isDeleted: rnd.chance(0.5) }); // soft delete or restore
      } else if (roll === 7) {
        await ref.update({ videos: rnd.chance(0.5) ? [] : [{ url: `https://vid.test/${rnd.int(5)}.mp4`, durationMs: 4000 }] });
      } else {
        // A thumbnailer adds optimization fields to the public mirror directly: it fills in
        // what a medium lacks and refreshes its own work, never a value the source set (a
        // pipeline overwriting the source's value is the source's to restore on its next write).
        const mirror = db().doc(mirrorPath(historyId));
        await db().runTransaction(async (tx) => {
          const snap = await tx.get(mirror);
          const images = snap.get("images") as Array<Record<string, unknown>> | undefined;
          if (!images?.length) return;
          const url = String(images[0]!.url);
          const field = rnd.pick(["thumbnailUrl", "avifUrl"]);
          const existing = images[0]![field];
          if (existing !== undefined && !String(existing).includes("?pipe=")) return;
          const value = `${url}?pipe=${rnd.int(4)}`;
          remember(url, field, value);
          tx.update(mirror, { images: [{ ...images[0], [field]: value }, ...images.slice(1)] });
        });
        return;
      }
      taskIds.push(await enqueueFor(uid, historyId));
    }

    async function deliverSome(): Promise<void> {
      // Several processors at once, each taking a shuffled sample of old and new tasks.
      const lanes = Array.from({ length: 1 + rnd.int(4) }, (_, lane) => async () => {
        const deps = processor(`p${lane}-${rnd.int(1e9)}`);
        if (rnd.chance(0.25)) {
          await processDue(deps, 1 + rnd.int(8), 1 + rnd.int(4));
          return;
        }
        const sample = rnd.shuffle(taskIds.slice(-40)).slice(0, 1 + rnd.int(6));
        for (const id of sample) {
          if (rnd.chance(0.5)) deliveredTwiceOrMore.add(id);
          await processTask(deps, id);
        }
      });
      await Promise.all(
        lanes.map((lane) =>
          lane().catch((error: unknown) => {
            if (!(error instanceof InjectedCrash)) throw error;
          }),
        ),
      );
      if (rnd.chance(0.1)) clock.advance(61_000 + rnd.int(120_000)); // leases of crashed processors expire
    }

    await withoutTriggers(async () => {
      for (let i = 0; i < operations; i++) {
        await randomWrite();
        if (rnd.chance(0.3)) await deliverSome();
      }
      // Drain: time passes (all leases and backoffs expire) and the sweeper re-drives the rest.
      for (let round = 0; round < 50; round++) {
        clock.advance(10 * 60_000);
        const report = await sweepQueue(testDeps(clock, `sweeper-${round}`), { pendingGraceMs: 0, limit: 10_000, concurrency: 8 });
        if (report.stats.depth === 0) break;
      }
      await replayOutbox(db(), async () => undefined, clock.now());

      const depth = await db().collection(mirrorQueue).where("status", "in", ["pending", "processing", "failed"]).count().get();
      expect(depth.data().count).toBe(0);
      const dead = await db().collection(mirrorQueue).where("status", "==", "dead").get();
      expect(dead.docs.map((d) => `${d.id}: ${d.get("lastError")}`)).toEqual([]);
      expect((await db().collection(cacheInvalidations).count().get()).data().count).toBe(0);

      const problems = (await Promise.all(items.map((i) => mirrorMismatch(i.uid, i.historyId, seen)))).filter(Boolean);
      expect(problems).toEqual([]);
      // No mirror document without a live public source (including ids never in the model).
      const mirrors = await db().collection("generations").get();
      for (const doc of mirrors.docs) expect(await mirrorMismatch(String(doc.get("uid")), doc.id, seen)).toBeUndefined();
    });
    expect(taskIds.length).toBeGreaterThan(operations / 2);
    expect(crashes).toBeGreaterThan(0);
    expect(deliveredTwiceOrMore.size).toBeGreaterThan(0);
  }, 600_000);
});
