import { versionOf } from "../../src/mirror/plan";
import { cacheInvalidations } from "../../src/cache/outbox";
import { generations, mirrorPath, sourcePath } from "../../src/mirror/paths";
import { desiredMirror, mirrorMatches, projectGeneration } from "../../src/mirror/projection";
import { rebuildMirror, syncItem, type Cursor, type RebuildCounts, type RebuildResult } from "../../src/mirror/rebuild";
import { fixedCreatedAt, sourceItem } from "../helpers/fixtures";
import { clearFirestore, db, triggersOffDuringSuite, withoutTriggers } from "../helpers/firestore";

const imageUrl = "https://img.test/a.png";
const thumbUrl = "https://img.test/a-thumb.webp";
const item = sourceItem;

/** The mirror the pipeline would have written for a source as it is now. */
async function projectionOf(uid: string, historyId: string) {
  const source = await db().doc(sourcePath(uid, historyId)).get();
  return projectGeneration(source.data(), { uid, historyId }, versionOf(source))!;
}

/** Why the mirror of an item is not what it must be, or undefined. */
async function mismatch(uid: string, historyId: string): Promise<string | undefined> {
  const [source, mirror] = await Promise.all([db().doc(sourcePath(uid, historyId)).get(), db().doc(mirrorPath(historyId)).get()]);
  let projected;
  try {
    projected = projectGeneration(source.exists ? source.data() : undefined, { uid, historyId }, versionOf(source));
  } catch {
    projected = null;
  }
  const current = mirror.data();
  return mirrorMatches(desiredMirror(projected, current), current) ? undefined : `${historyId}: mirror ${JSON.stringify(current)}`;
}

const u1Sources = ["h-conf", "h-del", "h-invalid", "h-priv", "h-pub", "h-stale", "h-thumb"];
const u2Sources = ["h-conf", "h2-pub", "h2-stale"];

/** Every kind of item and mirror document a rebuild meets, written with triggers off. */
async function seed(): Promise<void> {
  await withoutTriggers(async () => {
    const batch = db().batch();
    const put = (path: string, data: Record<string, unknown>) => batch.set(db().doc(path), data);
    put(sourcePath("u1", "h-pub"), item("u1"));
    put(sourcePath("u1", "h-stale"), item("u1", { prompt: "a new prompt" }));
    put(sourcePath("u1", "h-thumb"), item("u1"));
    put(sourcePath("u1", "h-priv"), item("u1", { isPublic: false }));
    put(sourcePath("u1", "h-del"), item("u1", { isDeleted: true }));
    put(sourcePath("u1", "h-invalid"), item("u1", { model: "" }));
    put(sourcePath("u1", "h-conf"), item("u1"));
    put(sourcePath("u2", "h2-pub"), item("u2"));
    put(sourcePath("u2", "h2-stale"), item("u2", { aestheticScore: 9 }));
    put(sourcePath("u2", "h-conf"), item("u2")); // same historyId as u1's: the mirror is u1's
    // Collections named `items` that are not generationHistory items.
    put("other/x/items/h-other", item("u1"));
    put(`${sourcePath("u1", "h-pub")}/items/h-deep`, item("u1"));
    await batch.commit();

    const mirrors = db().batch();
    const mirror = (historyId: string, data: Record<string, unknown>) =>
      mirrors.set(db().doc(mirrorPath(historyId)), { ...data, mirroredAt: fixedCreatedAt });
    const withThumb = [{ url: imageUrl, thumbnailUrl: thumbUrl, width: 512, height: 512 }];
    mirror("h-stale", { ...(await projectionOf("u1", "h-stale")), prompt: "an old prompt", images: withThumb });
    mirror("h-thumb", { ...(await projectionOf("u1", "h-thumb")), images: withThumb });
    mirror("h-conf", { ...(await projectionOf("u1", "h-conf")) });
    mirror("h-priv", { ...(await projectionOf("u1", "h-pub")), historyId: "h-priv" });
    mirror("h-del", { ...(await projectionOf("u1", "h-pub")), historyId: "h-del" });
    mirror("h-invalid", { ...(await projectionOf("u1", "h-pub")), historyId: "h-invalid" });
    mirror("h2-stale", { ...(await projectionOf("u2", "h2-stale")), aestheticScore: 3 });
    mirror("h-gone", { uid: "u1", historyId: "h-gone", prompt: "source deleted" }); // orphans
    mirror("h2-gone", { uid: "u2", historyId: "h2-gone", prompt: "source deleted" });
    mirror("h-nouid", { historyId: "h-nouid", prompt: "no owner" }); // malformed: left alone
    await mirrors.commit();
  });
}

function recorder() {
  const calls: string[][] = [];
  return { calls, tags: () => new Set(calls.flat()), invalidate: async (tags: string[]) => void calls.push(tags) };
}

const deps = (invalidate: (tags: string[]) => Promise<void>) => ({ db: db(), invalidate, now: Date.now });
const mirrorIds = async () => (await db().collection(generations).get()).docs.map((d) => d.id).sort();
const counts = (c: Partial<RebuildCounts>): RebuildCounts => ({
  scanned: 0,
  written: 0,
  removed: 0,
  unchanged: 0,
  invalid: 0,
  errors: 0,
  adopted: 0,
  ...c,
});

const fullRun = {
  sources: counts({ scanned: 10, written: 4, removed: 2, invalid: 1, unchanged: 2, errors: 1 }),
  mirror: counts({ scanned: 9, removed: 2, unchanged: 6, errors: 1 }),
};

async function expectAllCorrect(): Promise<void> {
  for (const id of u1Sources) expect(await mismatch("u1", id)).toBeUndefined();
  for (const id of u2Sources.filter((id) => id !== "h-conf")) expect(await mismatch("u2", id)).toBeUndefined();
  expect(await mirrorIds()).toEqual(["h-conf", "h-nouid", "h-pub", "h-stale", "h-thumb", "h2-pub", "h2-stale"]);
  expect((await db().doc(mirrorPath("h-conf")).get()).get("uid")).toBe("u1"); // never taken over by u2
  expect((await db().collection(cacheInvalidations).get()).size).toBe(0); // every entry flushed
}

describe("mirror rebuild", () => {
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  it("re-projects every item, removes orphans, and bumps only the tags of what changed", async () => {
    await seed();
    const rec = recorder();
    const result = await rebuildMirror(deps(rec.invalidate), { pageSize: 4, concurrency: 4 });

    expect(result.aborted).toBe(false);
    expect(result.phases).toEqual(fullRun);
    expect(result).toMatchObject(counts({ scanned: 19, written: 4, removed: 4, invalid: 1, unchanged: 8, errors: 2 }));
    expect(result.failures.map((f) => f.path).sort()).toEqual(["generationHistory/u2/items/h-conf", "generations/h-nouid"]);
    await expectAllCorrect();

    // Smart merge: the thumbnail of an unchanged image URL survives, rewritten or not.
    for (const id of ["h-thumb", "h-stale"]) {
      expect((await db().doc(mirrorPath(id)).get()).get("images")).toEqual([
        { url: imageUrl, thumbnailUrl: thumbUrl, width: 512, height: 512 },
      ]);
    }
    expect((await db().doc(mirrorPath("h-stale")).get()).get("prompt")).toBe("a new prompt");

    const changed = ["h-pub", "h-stale", "h2-pub", "h2-stale", "h-priv", "h-del", "h-invalid", "h-gone", "h2-gone"];
    // An item that became public or stopped being public also bumps its cover: tag.
    const covers = changed.filter((id) => !id.endsWith("-stale")); // appeared or went: their covers moved
    expect([...rec.tags()].sort()).toEqual(
      [...changed.map((id) => `generation:${id}`), ...covers.map((id) => `cover:${id}`), "feed:public", "user:u1", "user:u2"].sort(),
    );
    expect(rec.calls.length).toBeLessThanOrEqual(5); // one bump per page with changes, not per item

    // A second run finds nothing to do and bumps nothing.
    const again = recorder();
    const second = await rebuildMirror(deps(again.invalidate), { pageSize: 4 });
    expect(second).toMatchObject({ written: 0, removed: 0, invalid: 1, errors: 2 });
    expect(again.calls).toEqual([]);
    await expectAllCorrect();
  });

  it("with a uid touches only that user's items and mirror documents", async () => {
    await seed();
    const rec = recorder();
    const result = await rebuildMirror(deps(rec.invalidate), { uid: "u2", pageSize: 2 });

    expect(result.phases).toEqual({
      sources: counts({ scanned: 3, written: 2, errors: 1 }),
      mirror: counts({ scanned: 3, removed: 1, unchanged: 2 }),
    });
    for (const id of ["h2-pub", "h2-stale"]) expect(await mismatch("u2", id)).toBeUndefined();
    expect((await db().doc(mirrorPath("h2-gone")).get()).exists).toBe(false);
    // u1's stale, missing and orphan mirrors are as they were.
    expect((await db().doc(mirrorPath("h-stale")).get()).get("prompt")).toBe("an old prompt");
    expect((await db().doc(mirrorPath("h-pub")).get()).exists).toBe(false);
    expect((await db().doc(mirrorPath("h-gone")).get()).exists).toBe(true);
    expect((await db().doc(mirrorPath("h-priv")).get()).exists).toBe(true);
    expect([...rec.tags()].sort()).toEqual([
      "cover:h2-gone",
      "cover:h2-pub",
      "feed:public",
      "generation:h2-gone",
      "generation:h2-pub",
      "generation:h2-stale",
      "user:u2",
    ]);
  });

  it("resumes from its checkpoint after being stopped after every single page", async () => {
    await seed();
    const rec = recorder();
    const runs: RebuildResult[] = [];
    let cursor: Cursor | undefined;
    for (let run = 0; run < 30; run++) {
      const controller = new AbortController();
      const result = await rebuildMirror(deps(rec.invalidate), {
        pageSize: 3,
        concurrency: 2,
        ...(cursor ? { resumeFrom: cursor } : {}),
        signal: controller.signal,
        onCheckpoint: (c) => {
          cursor = c; // what the CLI saves
          controller.abort(); // Ctrl-C during the page: it finishes, then the run stops
        },
      });
      runs.push(result);
      if (!result.aborted) break;
      expect(result.cursor).toEqual(cursor);
      if (run === 0) {
        expect(result.cursor).toEqual({ phase: "sources", lastPath: sourcePath("u1", "h-invalid") });
        expect((await db().doc(mirrorPath("h2-pub")).get()).exists).toBe(false); // not reached yet
      }
    }
    expect(runs.at(-1)!.aborted).toBe(false);
    expect(runs.length).toBeGreaterThan(5);
    // Every document was handled exactly once across the runs: the sums are those of one run.
    const sum = (phase: "sources" | "mirror") =>
      runs.reduce(
        (acc, r) => counts(Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, v + r.phases[phase][k as keyof RebuildCounts]]))),
        counts({}),
      );
    expect({ sources: sum("sources"), mirror: sum("mirror") }).toEqual(fullRun);
    await expectAllCorrect();
  });

  it("resumes in the mirror phase from a saved cursor", async () => {
    await seed();
    const rec = recorder();
    const result = await rebuildMirror(deps(rec.invalidate), { resumeFrom: { phase: "mirror", lastPath: mirrorPath("h-gone") } });
    expect(result.phases.sources.scanned).toBe(0);
    // After h-gone in id order: h-invalid, h-nouid, h-priv, h-stale, h-thumb, h2-gone, h2-stale.
    expect(result.phases.mirror).toEqual(counts({ scanned: 7, removed: 2, invalid: 1, written: 2, unchanged: 1, errors: 1 }));
    expect((await db().doc(mirrorPath("h-gone")).get()).exists).toBe(true); // before the cursor
    expect(await mirrorIds()).toEqual(["h-conf", "h-del", "h-gone", "h-nouid", "h-stale", "h-thumb", "h2-stale"]);
  });

  it("syncItem writes the mirror and outbox entry in one transaction and keeps the entry when the bump fails", () =>
    withoutTriggers(async () => {
      await db().doc(sourcePath("u3", "h3")).set(item("u3"));
      const rec = recorder();
      const first = await syncItem(db(), rec.invalidate, "u3", "h3", Date.now());
      expect(first).toMatchObject({ outcome: "written", tags: ["generation:h3", "feed:public", "user:u3", "cover:h3"] });
      expect(first.outboxId).toMatch(/^rebuild-h3-/);
      expect(rec.calls).toEqual([first.tags]);
      expect((await db().collection(cacheInvalidations).get()).size).toBe(0);
      expect(await mismatch("u3", "h3")).toBeUndefined();

      expect(await syncItem(db(), rec.invalidate, "u3", "h3", Date.now())).toMatchObject({ outcome: "unchanged", tags: [] });
      expect(rec.calls).toHaveLength(1);

      await db().doc(sourcePath("u3", "h3")).update({ isPublic: false });
      const down = async () => {
        throw new Error("redis down");
      };
      const removed = await syncItem(db(), down, "u3", "h3", Date.now()); // logs "cache invalidation deferred to the outbox"
      expect(removed.outcome).toBe("removed");
      expect((await db().doc(mirrorPath("h3")).get()).exists).toBe(false);
      const outbox = await db().collection(cacheInvalidations).get();
      expect(outbox.docs.map((d) => [d.id, d.get("tags")])).toEqual([[removed.outboxId, removed.tags]]);

      // An invalid source with no mirror: nothing to change, nothing to bump.
      await db().doc(sourcePath("u3", "h4")).set({ prompt: 1 });
      expect(await syncItem(db(), rec.invalidate, "u3", "h4", Date.now())).toMatchObject({ outcome: "invalid", tags: [] });
    }));
});
