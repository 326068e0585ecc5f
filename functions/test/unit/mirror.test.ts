import { Timestamp, type DocumentSnapshot } from "firebase-admin/firestore";
import { batchesOf } from "../../src/mirror/process";
import { maxTasksPerTransaction } from "../../src/mirror/apply";
import { retryDelayMs } from "../../src/mirror/backoff";
import { taskForWrite } from "../../src/mirror/on-source-written";
import { planFor } from "../../src/mirror/plan";
import { desiredMirror, InvalidSourceError, mirrorMatches, projectGeneration } from "../../src/mirror/projection";
import { contentFingerprint, scoreFields } from "../../src/mirror/score";
import { sourceItem } from "../helpers/fixtures";

// The mirror's decisions as pure functions: what is public, what the mirror must hold, when
// a task is due again, which hints a write carries. No emulator.

const ids = { uid: "ann", historyId: "h1" };
/** A source version (its update time in µs) after the fixtures' createdAt. */
const v = 1_800_000_000_000_000;
/** A stored document as planFor sees it (only exists/data/get are read). */
const stored = (data: Record<string, unknown> | undefined) =>
  ({ exists: data !== undefined, data: () => data, get: (k: string) => data?.[k] }) as unknown as DocumentSnapshot;
const none = stored(undefined);
const docs = (mirror: Record<string, unknown> | undefined, owner?: string) => ({
  mirror: stored(mirror),
  owner: owner ? stored({ uid: owner }) : none,
});

describe("projectGeneration", () => {
  it("projects a live public item, with ids and version, and drops unknown fields", () => {
    const projected = projectGeneration({ ...sourceItem("ann"), secret: "x" }, ids, v)!;
    expect(projected).toMatchObject({ uid: "ann", historyId: "h1", prompt: "a lighthouse", sourceVersion: v });
    expect(projected).not.toHaveProperty("secret");
  });

  it.each([
    ["private", { isPublic: false }],
    ["soft-deleted", { isDeleted: true }],
  ])("shows nothing for a %s item", (_name, fields) => {
    expect(projectGeneration(sourceItem("ann", fields), ids, v)).toBeNull();
  });

  it("shows nothing for a missing source, and throws InvalidSourceError for a malformed one", () => {
    expect(projectGeneration(undefined, ids, v)).toBeNull();
    expect(() => projectGeneration(sourceItem("ann", { model: "" }), ids, v)).toThrow(InvalidSourceError);
    expect(() => projectGeneration(sourceItem("ann", { createdAt: "yesterday" }), ids, v)).toThrow(/createdAt/);
  });

  it("refuses a createdAt later than the write itself (it would pin the item to the top of the feed)", () => {
    const writtenAt = 1_700_000_000_000;
    const item = (ms: number) => sourceItem("ann", { createdAt: Timestamp.fromMillis(ms) });
    expect(projectGeneration(item(writtenAt), ids, writtenAt * 1000)).not.toBeNull();
    expect(projectGeneration(item(writtenAt + 60_000), ids, writtenAt * 1000)).not.toBeNull(); // clock skew
    expect(() => projectGeneration(item(writtenAt + 3_600_000), ids, writtenAt * 1000)).toThrow(/later than the item was written/);
  });
});

describe("a score belongs to the content it was given for", () => {
  const item = sourceItem("ann");
  it("is shown while the prompt, model and media URLs are those it was given for", () => {
    expect(projectGeneration({ ...item, ...scoreFields(item, 8.5) }, ids, v)?.aestheticScore).toBe(8.5);
    const rethumbed = { ...item, images: [{ ...item.images[0]!, thumbnailUrl: "https://img.test/t.png", width: 1024 }] };
    expect(contentFingerprint(rethumbed)).toBe(contentFingerprint(item));
  });

  it.each([
    ["prompt", { prompt: "another prompt" }],
    ["model", { model: "other" }],
    ["image", { images: [{ url: "https://img.test/other.png" }] }],
    ["video", { videos: [{ url: "https://img.test/v.mp4" }] }],
  ])("is taken off public reads when the %s changes", (_what, change) => {
    const scored = { ...item, ...scoreFields(item, 8.5) };
    expect(projectGeneration({ ...scored, ...change }, ids, v)).not.toHaveProperty("aestheticScore");
  });

  it("without its fingerprint is not shown", () => {
    expect(projectGeneration({ ...item, aestheticScore: 9 }, ids, v)).not.toHaveProperty("aestheticScore");
  });
});

describe("smart merge", () => {
  const url = "https://img.test/a.png";
  const withImage = (image: Record<string, unknown>) => sourceItem("ann", { images: [{ url, ...image }] });
  const mirrorOf = (source: Record<string, unknown>, current?: Record<string, unknown>) =>
    desiredMirror(projectGeneration(source, ids, v), current) as unknown as Record<string, unknown> & {
      images: Array<Record<string, unknown>>;
    };

  it("keeps what a thumbnailer wrote onto the mirror while the URL is unchanged", () => {
    const first = mirrorOf(withImage({}));
    const piped = { ...first, images: [{ url, thumbnailUrl: "https://pipe/t.png", avifUrl: "https://pipe/a.avif" }] };
    expect(mirrorOf(withImage({ width: 9 }), piped).images).toEqual([
      { url, width: 9, thumbnailUrl: "https://pipe/t.png", avifUrl: "https://pipe/a.avif" },
    ]);
  });

  it("removes an optimization the source removes from itself", () => {
    const first = mirrorOf(withImage({ thumbnailUrl: "https://src/t.png" }));
    expect(first.images).toEqual([{ url, thumbnailUrl: "https://src/t.png" }]);
    expect(mirrorOf(withImage({}), first).images).toEqual([{ url }]);
  });

  it("the source's value wins while it sets one; a new URL drops the old one's optimizations", () => {
    const piped = { ...mirrorOf(withImage({})), images: [{ url, thumbnailUrl: "https://pipe/t.png" }] };
    expect(mirrorOf(withImage({ thumbnailUrl: "https://src/t.png" }), piped).images).toEqual([{ url, thumbnailUrl: "https://src/t.png" }]);
    expect(mirrorOf(sourceItem("ann", { images: [{ url: "https://img.test/b.png" }] }), piped).images).toEqual([
      { url: "https://img.test/b.png" },
    ]);
  });
});

describe("planFor", () => {
  const source = sourceItem("ann");

  it("matches a mirror that already holds the projection, whenever it was written", () => {
    const desired = desiredMirror(projectGeneration(source, ids, v), undefined)!;
    const plan = planFor(ids, source, v, docs({ ...desired, mirroredAt: "any time" }, "ann"));
    expect(plan).toMatchObject({ matches: true, conflict: false, claim: false });
    expect(mirrorMatches(desired, { ...desired, prompt: "other" })).toBe(false);
  });

  it("claims an unregistered id on first publication, never a private one", () => {
    expect(planFor(ids, source, v, docs(undefined))).toMatchObject({ claim: true, conflict: false });
    expect(planFor(ids, { ...source, isPublic: false }, v, docs(undefined))).toMatchObject({ claim: false });
  });

  it("a historyId registered to another user is a conflict, with or without a mirror, and nothing is desired", () => {
    expect(planFor(ids, source, v, docs(undefined, "bob"))).toMatchObject({ conflict: true, owner: "bob", desired: null, claim: false });
    expect(planFor(ids, source, v, docs({ uid: "bob" }))).toMatchObject({ conflict: true, owner: "bob" });
  });

  it("a mirror without uid (an image pipeline wrote it first) names no owner", () => {
    expect(planFor(ids, source, v, docs({ images: [{ url: "https://img.test/a.png", thumbnailUrl: "https://pipe/t" }] }))).toMatchObject({
      conflict: false,
      claim: true,
      matches: false,
    });
  });

  it("a malformed source is invalid and desires nothing", () => {
    const invalid = planFor(ids, { ...source, prompt: 5 }, v, docs(undefined));
    expect(invalid).toMatchObject({ desired: null, matches: true });
    expect(invalid.invalid).toMatch(/prompt/);
  });
});

describe("retryDelayMs (full jitter)", () => {
  it("draws from [ceiling/2, ceiling], the ceiling doubling from 2 s up to 5 min", () => {
    expect(retryDelayMs(1, () => 0)).toBe(1_000);
    expect(retryDelayMs(1, () => 1)).toBe(2_000);
    expect(retryDelayMs(3, () => 1)).toBe(8_000);
    expect(retryDelayMs(20, () => 0)).toBe(150_000);
    expect(retryDelayMs(20, () => 1)).toBe(300_000);
  });
});

describe("taskForWrite", () => {
  const write = { eventId: "e", uid: "ann", historyId: "h1" };
  it("asks for upsert on create, remove on delete, and carries the changed fields as hints", () => {
    expect(taskForWrite({ ...write, before: undefined, after: { prompt: "a" } }).op).toBe("upsert");
    expect(taskForWrite({ ...write, before: { prompt: "a" }, after: undefined }).op).toBe("remove");
    expect(taskForWrite({ ...write, before: { prompt: "a", model: "m" }, after: { prompt: "b", model: "m" } })).toEqual({
      op: "update",
      uid: "ann",
      historyId: "h1",
      updates: { prompt: "b" },
    });
  });
});

describe("batchesOf (tasks that share a transaction)", () => {
  const c = (id: string, historyId: string) => ({ id, uid: "ann", historyId });
  it("fills batches in order up to their size", () => {
    const tasks = ["a", "b", "c", "d", "e"].map((id) => c(id, `h-${id}`));
    expect(batchesOf(tasks, 2).map((b) => b.map((t) => t.id))).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });
  it("never puts two tasks of one item in a batch; the later one goes to a later batch", () => {
    const batches = batchesOf([c("1", "x"), c("2", "x"), c("3", "y"), c("4", "x")], 4);
    expect(batches.map((b) => b.map((t) => t.id))).toEqual([["1", "3"], ["2"], ["4"]]);
    for (const b of batches) expect(new Set(b.map((t) => t.historyId)).size).toBe(b.length);
  });
});

describe("batchesOf limits", () => {
  it("keeps a batch within what one Firestore transaction can write", () => {
    const tasks = Array.from({ length: 250 }, (_, i) => ({ id: `t${i}`, uid: "ann", historyId: `h${i}` }));
    expect(batchesOf(tasks, 1000).map((b) => b.length)).toEqual([maxTasksPerTransaction, maxTasksPerTransaction, 50]);
    expect(batchesOf(tasks.slice(0, 3), 0).map((b) => b.length)).toEqual([1, 1, 1]);
  });
});
