import { replayOps, opsPerSnapshot, snapshotMaxAgeMs, partMaxBytes } from "../../src/canvas/model";
import { snapshotDueAt } from "../../src/canvas/ops";
import { splitIntoParts, storageSize } from "../../src/canvas/size";
import { hours } from "../helpers/clock";

// The rules the scheduled jobs decide by, as pure functions.

describe("snapshotDueAt (when a canvas project needs a snapshot)", () => {
  const last = 1_000_000;
  it("is never while nothing is pending", () => {
    expect(snapshotDueAt(0, last, last + hours(48))).toBeUndefined();
  });
  it("is a day after the last snapshot with fewer than 100 ops pending, at once from 100 on", () => {
    expect(snapshotDueAt(1, last, last + 5)).toBe(last + snapshotMaxAgeMs);
    expect(snapshotDueAt(opsPerSnapshot - 1, last, last + 5)).toBe(last + snapshotMaxAgeMs);
    expect(snapshotDueAt(opsPerSnapshot, last, last + 5)).toBe(last + 5);
  });
  it("never moves an earlier due time later", () => {
    expect(snapshotDueAt(1, last, last + 5, last + 10)).toBe(last + 10);
    expect(snapshotDueAt(opsPerSnapshot, last, last + 50, last + 10)).toBe(last + 10);
  });
});

describe("replayOps", () => {
  it("applies ops in order: the last op on an element decides it", () => {
    const state = replayOps({ a: { x: 1 } }, [
      { index: 0, type: "upsert", elementId: "b", element: { x: 2 } },
      { index: 1, type: "delete", elementId: "a" },
      { index: 2, type: "upsert", elementId: "b", element: { x: 3 } },
    ]);
    expect(state).toEqual({ b: { x: 3 } });
  });
});

describe("storage sizes and parts", () => {
  it("counts as Firestore does: 8 bytes a number, UTF-8 bytes + 1 a string, key length + 1", () => {
    expect(storageSize(123456789)).toBe(8);
    expect(storageSize("é")).toBe(3);
    expect(storageSize({ ab: 1 })).toBe(3 + 8);
    expect(storageSize([true, null])).toBe(2);
  });

  it("splits entries in order into parts under the limit, an oversized entry alone", () => {
    const entry = (id: string, bytes: number) => ({ id, data: { s: "x".repeat(bytes) } });
    const entries = [entry("a", 400), entry("b", 400), entry("c", 400), entry("d", 2000), entry("e", 10)];
    const parts = splitIntoParts(entries, 1000);
    expect(parts.map((p) => p.map((e) => e.id))).toEqual([["a", "b"], ["c"], ["d"], ["e"]]);
    expect(splitIntoParts([entry("a", 10)]).length).toBe(1);
    expect(partMaxBytes).toBeLessThan(1024 * 1024);
  });
});
