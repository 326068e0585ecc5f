import { z } from "zod";
import { docId } from "../shared/ids";

/** Element ids are document ids, short enough for a cursor or a log line. */
export const maxElementIdBytes = 256;
/** One element's size on the wire (`wireSize`): it is written twice per op (op log and live
 *  state), and a call's writes must stay under Firestore's 10 MiB request limit. */
export const maxElementBytes = 256 * 1024;
/** All elements of one applyCanvasOps call together (x2 writes, plus overhead, < 10 MiB). */
export const maxCallElementBytes = 4 * 1024 * 1024;
/** Values in one element (maps, arrays and scalars): every field of an element document is
 *  indexed, and Firestore refuses a document with more than 40,000 index entries (each value
 *  takes at most 3: ascending, descending, array-contains). */
export const maxElementValues = 10_000;
/** Media one element may refer to, and one call may start referencing. */
export const maxMediaPerElement = 32;
export const maxMediaPerCall = 100;
/** Firestore allows 20 levels of maps and arrays in a document. A snapshot stores an element
 *  three levels down (elements[i].data), so an element may nest 16 levels (17 measured to
 *  work, 19 to fail in a snapshot). */
const maxDepth = 16;
const maxKeyBytes = 256;

const loneSurrogate = /[\uD800-\uDFFF]/u;

/**
 * Why a JSON value cannot be stored in Firestore as given, or undefined if it can. The
 * Admin SDK would throw on these at commit time (a 500 to the caller); checked here so the
 * caller gets invalid-argument and nothing is written.
 */
export function storableProblem(value: unknown, depth = 1, inArray = false): string | undefined {
  if (value === null || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "a number that is not finite";
  if (typeof value === "string") return loneSurrogate.test(value) ? "a string that is not valid UTF-8" : undefined;
  if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
  if (Array.isArray(value)) {
    if (inArray) return "an array directly inside an array (Firestore cannot store it)";
    for (const item of value) {
      const problem = storableProblem(item, depth + 1, true);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return "a value that is not JSON";
  for (const [key, item] of Object.entries(value)) {
    if (key === "" || Buffer.byteLength(key) > maxKeyBytes || /^__.*__$/s.test(key) || loneSurrogate.test(key))
      return `a field name Firestore refuses (empty, over ${maxKeyBytes} bytes, __reserved__ or not UTF-8): ${JSON.stringify(key.slice(0, 40))}`;
    const problem = storableProblem(item, depth + 1, false);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * An upper bound of a JSON value's size in a Firestore write request, and how many values it
 * holds. Storage size (size.ts) is no bound here: it counts a null in an array as 1 byte and
 * an empty map as 0, while each value costs a few bytes of protobuf framing on the wire.
 */
export function wireSize(value: unknown): { bytes: number; values: number } {
  let bytes = 0;
  let values = 0;
  const walk = (v: unknown): void => {
    values++;
    if (typeof v === "string") bytes += Buffer.byteLength(v) + 6;
    else if (Array.isArray(v)) {
      bytes += 6;
      v.forEach(walk);
    } else if (v !== null && typeof v === "object") {
      bytes += 6;
      for (const [key, item] of Object.entries(v)) {
        bytes += Buffer.byteLength(key) + 8;
        walk(item);
      }
    } else bytes += 11; // a double or an int64 with its tags; null and booleans less
  };
  walk(value);
  return { bytes, values };
}

export const elementId = docId.refine((id) => Buffer.byteLength(id) <= maxElementIdBytes, `at most ${maxElementIdBytes} bytes`);

/** The media an element refers to: `mediaIds`, distinct canvasMedia ids. */
const mediaIds = z
  .array(docId)
  .max(maxMediaPerElement)
  .refine((ids) => new Set(ids).size === ids.length, "mediaIds must be distinct");

/** A canvas element as an editor sends it: a JSON object Firestore can store, under the
 *  size limit, whose `mediaIds` (if any) are media ids. */
export const canvasElement = z.record(z.string(), z.unknown()).superRefine((element, ctx) => {
  const problem = storableProblem(element);
  if (problem) return void ctx.addIssue({ code: "custom", message: `element holds ${problem}` });
  const { bytes, values } = wireSize(element);
  if (bytes > maxElementBytes) ctx.addIssue({ code: "custom", message: `element is ${bytes} bytes, over ${maxElementBytes}` });
  if (values > maxElementValues) ctx.addIssue({ code: "custom", message: `element holds ${values} values, over ${maxElementValues}` });
  if ("mediaIds" in element) {
    const parsed = mediaIds.safeParse(element.mediaIds);
    if (!parsed.success) ctx.addIssue({ code: "custom", path: ["mediaIds"], message: parsed.error.issues[0]!.message });
  }
});

/** The media ids an element (or nothing) refers to. */
export const mediaIdsOf = (element: Record<string, unknown> | undefined): string[] =>
  Array.isArray(element?.mediaIds) ? (element.mediaIds as string[]) : [];
