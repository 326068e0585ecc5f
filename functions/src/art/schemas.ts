import { z } from "zod";
import { docId } from "../shared/ids";
import { plainText } from "../shared/zod";
import { artLimits } from "./model";

export const startSessionInput = z.strictObject({ sessionId: docId.optional() });
export const sessionInput = z.strictObject({ sessionId: docId });

const shortText = plainText(200, 1);

/** Whether no value in `value` lies deeper than `max` levels; a loop, not recursion, so a
 *  hostile nesting cannot overflow the stack (zod's own walk below would). */
function depthWithin(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > max) return false;
    if (v && typeof v === "object") for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

/** What the music analysis of the app sends: any JSON object of at most 64 KB and 32 levels.
 *  Size, then depth, are checked before the shape (each stops the next), so an oversized or
 *  deep one costs no recursive walk; it is stored as JSON text (Firestore refuses arrays in
 *  arrays, which a spectrum may hold). */
const audioAnalysis = z
  .unknown()
  .refine(
    (v) => {
      try {
        return Buffer.byteLength(JSON.stringify(v) ?? "", "utf8") <= artLimits.audioAnalysisBytes;
      } catch {
        return false; // a structure too deep even for JSON.stringify
      }
    },
    { message: `at most ${artLimits.audioAnalysisBytes} bytes of JSON`, abort: true },
  )
  .refine((v) => depthWithin(v, 32), { message: "at most 32 levels deep", abort: true })
  .pipe(z.record(z.string(), z.json()));

export const generateArtInput = z.strictObject({
  sessionId: docId,
  prompt: z
    .string()
    .trim()
    .max(artLimits.promptChars)
    // eslint-disable-next-line no-control-regex -- the pattern exists to find control characters
    .regex(/^[^\p{Cs}\x00-\x09\x0b\x0c\x0e-\x1f\x7f]*$/u, "no control characters but line breaks")
    .optional(),
  audioAnalysis: audioAnalysis.optional(),
  musicInfo: z.strictObject({ title: shortText, artist: shortText, album: shortText, genre: shortText }).partial().optional(),
  preferences: z
    .strictObject({
      styles: z.array(plainText(50, 1)).max(10),
      artists: z.array(plainText(100, 1)).max(10),
      dynamicMode: z.boolean(),
    })
    .partial()
    .optional(),
  /** The app's id for this generation: a retry with the same id (after a lost answer) finds the
   *  first request instead of spending again. */
  clientRequestId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,128}$/, "8 to 128 of A-Z a-z 0-9 _ -")
    .optional(),
});
export type GenerateArtInput = z.infer<typeof generateArtInput>;

export const requestInput = z.strictObject({ requestId: docId });

export const nextArtworksInput = z.strictObject({ sessionId: docId, limit: z.number().int().min(1).max(50).default(20) });

export const recordImpressionsInput = z.strictObject({
  sessionId: docId,
  artworkIds: z
    .array(docId)
    .min(1)
    .max(artLimits.impressionsPerCall)
    .transform((ids) => [...new Set(ids)]),
});
