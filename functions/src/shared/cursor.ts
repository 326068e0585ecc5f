import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { docId } from "./ids";

/**
 * Opaque cursors: base64url JSON, validated with a zod schema on the way back in, so a
 * forged, foreign or truncated cursor is refused (null) instead of reaching a query. Every
 * paged read and every job cursor uses this one encoding. `encodeCursor` of a decoded cursor
 * is its canonical form: equal cursors encode equally (cache keys use that).
 */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor<S extends z.ZodType>(raw: string, schema: S): z.infer<S> | null {
  if (!/^[A-Za-z0-9_-]{1,2800}$/.test(raw)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// Firestore's Timestamp range: 0001-01-01 to 9999-12-31.
const minSeconds = -62_135_596_800;
const maxSeconds = 253_402_300_799;

/** A timestamp in a cursor: [seconds, nanoseconds], exact at any date (microseconds as one
 *  number stop being exact past the year 2255). */
export const cursorTime = z.tuple([z.number().int().min(minSeconds).max(maxSeconds), z.number().int().min(0).max(999_999_999)]);
export type CursorTime = z.infer<typeof cursorTime>;
export const toCursorTime = (t: Timestamp): CursorTime => [t.seconds, t.nanoseconds];
export const fromCursorTime = ([seconds, nanos]: CursorTime) => new Timestamp(seconds, nanos);

/** The most common position: a time and the document id that breaks ties. */
export const timeAndId = z.strictObject({ t: cursorTime, id: docId });
export type TimeAndId = z.infer<typeof timeAndId>;
