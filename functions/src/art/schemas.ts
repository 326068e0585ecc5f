import { z } from "zod";
import { docId } from "../shared/ids";
import { plainText } from "../shared/zod";
import { artLimits } from "./model";

export const startSessionInput = z.strictObject({ sessionId: docId.optional() });
export const sessionInput = z.strictObject({ sessionId: docId });

const shortText = plainText(200, 1);

/** What the music analysis of the app sends: any JSON object of at most 64 KB. Its size is
 *  checked before its shape, so an oversized one costs no walk; it is stored as JSON text
 *  (Firestore refuses arrays in arrays, which a spectrum may hold). */
const audioAnalysis = z
  .unknown()
  .refine((v) => {
    try {
      return Buffer.byteLength(JSON.stringify(v) ?? "", "utf8") <= artLimits.audioAnalysisBytes;
    } catch {
      return false;
    }
  }, `at most ${artLimits.audioAnalysisBytes} bytes of JSON`)
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
