import { errorFields, maxErrorText, maxStackText } from "../../src/shared/log";
import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { decodeFeedCursor } from "../../src/feed/cursor";
import { decodeCursor, encodeCursor, fromCursorTime, timeAndId, toCursorTime } from "../../src/shared/cursor";
import { isDocumentId } from "../../src/shared/ids";
import { intParam } from "../../src/shared/params";
import { micros } from "../../src/shared/time";
import { isClosedTransaction } from "../../src/shared/transaction";
import { describeIssues } from "../../src/shared/zod";

describe("document ids", () => {
  it("count UTF-8 bytes, not characters, against the 1,500-byte limit", () => {
    expect(isDocumentId("a".repeat(1500))).toBe(true);
    expect(isDocumentId("a".repeat(1501))).toBe(false);
    expect(isDocumentId("é".repeat(750))).toBe(true); // 1,500 bytes
    expect(isDocumentId("é".repeat(751))).toBe(false); // 751 characters, 1,502 bytes
  });

  it.each(["", "a/b", ".", "..", "__x__", "__a\nb__", "__a\r\nb__", "x\ud800", "\udfffx"])("refuses %j", (id) =>
    expect(isDocumentId(id)).toBe(false),
  );

  it.each(["a\nb", "__x", "x__", "🎨", "\u0000"])("accepts %j", (id) => expect(isDocumentId(id)).toBe(true));
});

describe("cursors", () => {
  const position = { t: toCursorTime(new Timestamp(1_700_000_000, 123_456_789)), id: "doc-1" };

  it("round-trip exactly, at any date Firestore can store", () => {
    expect(decodeCursor(encodeCursor(position), timeAndId)).toEqual(position);
    const far = new Timestamp(32_503_680_000, 999_999_999); // the year 3000, to the nanosecond
    expect(fromCursorTime(decodeCursor(encodeCursor({ t: toCursorTime(far), id: "x" }), timeAndId)!.t).isEqual(far)).toBe(true);
  });

  it.each([
    ["not base64", "%%%"],
    ["empty", ""],
    ["not JSON", Buffer.from("{").toString("base64url")],
    ["a negative nanosecond", encodeCursor({ t: [1, -1], id: "a" })],
    ["a fractional second", encodeCursor({ t: [1.5, 0], id: "a" })],
    ["a huge second", encodeCursor({ t: [1e20, 0], id: "a" })],
    ["an id with a slash", encodeCursor({ t: [1, 0], id: "a/b" })],
    ["an id over 1,500 bytes", encodeCursor({ t: [1, 0], id: "é".repeat(751) })],
    ["an unknown field", encodeCursor({ t: [1, 0], id: "a", x: 1 })],
    ["over-long", "A".repeat(3000)],
  ])("refuse %s", (_name, raw) => {
    expect(decodeCursor(raw, timeAndId)).toBeNull();
  });

  it("re-encode to one canonical form (the feed keys its cache on it)", () => {
    const reordered = Buffer.from(JSON.stringify({ id: "x", a: 3, t: [5, 0], s: "score" })).toString("base64url");
    const decoded = decodeFeedCursor(reordered)!;
    expect(encodeCursor(decoded)).toBe(encodeCursor({ s: "score", t: [5, 0], a: 3, id: "x" }));
  });
});

describe("small shared pieces", () => {
  it("micros keeps microseconds", () => {
    expect(micros(new Timestamp(2, 3_999))).toBe(2_000_003);
  });

  it("describeIssues names each problem's path", () => {
    const error = z.strictObject({ a: z.number(), b: z.object({ c: z.string() }) }).safeParse({ a: "x", b: {} }).error!;
    expect(describeIssues(error)).toMatch(/^a: .+; b\.c: .+$/);
  });

  it("intParam: unset (0) reads as the default, below the minimum throws", () => {
    const setting = intParam("FRESCO_UNIT_TEST_INT", { default: 7, min: 2, description: "test" });
    delete process.env.FRESCO_UNIT_TEST_INT;
    expect(setting.value()).toBe(7);
    process.env.FRESCO_UNIT_TEST_INT = "12";
    expect(setting.value()).toBe(12);
    process.env.FRESCO_UNIT_TEST_INT = "1";
    expect(() => setting.value()).toThrow(/FRESCO_UNIT_TEST_INT must be an integer of at least 2/);
    delete process.env.FRESCO_UNIT_TEST_INT;
  });
});

describe("contended transactions", () => {
  it.each([
    [{ code: 3, message: "3 INVALID_ARGUMENT: Transaction is invalid or closed." }, true],
    [{ code: 3, message: "3 INVALID_ARGUMENT: Value for argument is not valid" }, false],
    [{ code: 10, message: "10 ABORTED: Transaction lock timeout." }, false], // the SDK retries these itself
    [new Error("Transaction is invalid or closed."), false],
    [undefined, false],
  ])("runs again only a transaction the emulator closed: %p", (error, expected) => {
    expect(isClosedTransaction(error)).toBe(expected);
  });
});

describe("errorFields (log entries Error Reporting groups)", () => {
  it("puts an Error's stack in stack_trace and its one line in error, both bounded", () => {
    const error = new TypeError("x".repeat(10_000));
    const fields = errorFields(error);
    expect(fields.error).toBe(`TypeError: ${"x".repeat(maxErrorText - "TypeError: ".length)}`);
    expect(fields.stack_trace!.startsWith(`${fields.error}\n    at `)).toBe(true); // the message once, cut, then the frames
    expect(fields.stack_trace!.length).toBeLessThanOrEqual(maxStackText);
    const short = errorFields(new Error("boom"));
    expect(short.stack_trace).toMatch(/^Error: boom\n\s+at /); // the frames Error Reporting groups by
  });

  it("logs a thrown non-Error as text, without a stack", () => {
    expect(errorFields({ toString: () => "odd" })).toEqual({ error: "odd" });
    expect(errorFields("y".repeat(900))).toEqual({ error: "y".repeat(maxErrorText) });
  });
});
