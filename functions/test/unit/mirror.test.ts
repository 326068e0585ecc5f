import type { DocumentSnapshot } from "firebase-admin/firestore";
import { retryDelayMs } from "../../src/mirror/backoff";
import { taskForWrite } from "../../src/mirror/on-source-written";
import { planFor } from "../../src/mirror/plan";
import { desiredMirror, InvalidSourceError, keepOptimizations, mirrorMatches, projectGeneration } from "../../src/mirror/projection";
import { sourceItem } from "../helpers/fixtures";

// The mirror's decisions as pure functions: what is public, what the mirror must hold, when
// a task is due again, which hints a write carries. No emulator.

const ids = { uid: "ann", historyId: "h1" };
/** A stored mirror document as planFor sees it (only exists/data are read). */
const stored = (data: Record<string, unknown> | undefined) =>
  ({ exists: data !== undefined, data: () => data }) as unknown as DocumentSnapshot;

describe("projectGeneration", () => {
  it("projects a live public item, with ids and version, and drops unknown fields", () => {
    const projected = projectGeneration({ ...sourceItem("ann"), secret: "x" }, ids, 42)!;
    expect(projected).toMatchObject({ uid: "ann", historyId: "h1", prompt: "a lighthouse", sourceVersion: 42 });
    expect(projected).not.toHaveProperty("secret");
  });

  it.each([
    ["private", { isPublic: false }],
    ["soft-deleted", { isDeleted: true }],
  ])("shows nothing for a %s item", (_name, fields) => {
    expect(projectGeneration(sourceItem("ann", fields), ids, 1)).toBeNull();
  });

  it("shows nothing for a missing source, and throws InvalidSourceError for a malformed one", () => {
    expect(projectGeneration(undefined, ids, 1)).toBeNull();
    expect(() => projectGeneration(sourceItem("ann", { model: "" }), ids, 1)).toThrow(InvalidSourceError);
    expect(() => projectGeneration(sourceItem("ann", { createdAt: "yesterday" }), ids, 1)).toThrow(/createdAt/);
  });
});

describe("smart merge", () => {
  const projected = [{ url: "https://a/1.png" }, { url: "https://a/2.png", thumbnailUrl: "https://src/t2" }];

  it("keeps optimizations already on the mirror for an unchanged URL, unless the source sets its own", () => {
    const existing = [
      { url: "https://a/1.png", thumbnailUrl: "https://pipe/t1", avifUrl: "https://pipe/a1" },
      { url: "https://a/2.png", thumbnailUrl: "https://pipe/t2" },
    ];
    expect(keepOptimizations(projected, existing)).toEqual([
      { url: "https://a/1.png", thumbnailUrl: "https://pipe/t1", avifUrl: "https://pipe/a1" },
      { url: "https://a/2.png", thumbnailUrl: "https://src/t2" },
    ]);
  });

  it("drops optimizations of a URL that changed", () => {
    expect(keepOptimizations([{ url: "https://a/new.png" }], [{ url: "https://a/1.png", thumbnailUrl: "https://pipe/t1" }])).toEqual([
      { url: "https://a/new.png" },
    ]);
  });
});

describe("planFor", () => {
  const source = sourceItem("ann");

  it("matches a mirror that already holds the projection, whenever it was written", () => {
    const desired = desiredMirror(projectGeneration(source, ids, 7), undefined)!;
    const plan = planFor(ids, source, 7, stored({ ...desired, mirroredAt: "any time" }));
    expect(plan).toMatchObject({ matches: true, conflict: false });
    expect(mirrorMatches(desired, { ...desired, prompt: "other" })).toBe(false);
  });

  it("flags a mirror of another user as a conflict, and a malformed source as invalid", () => {
    expect(planFor(ids, source, 7, stored({ uid: "bob" })).conflict).toBe(true);
    const invalid = planFor(ids, { ...source, prompt: 5 }, 7, stored(undefined));
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
