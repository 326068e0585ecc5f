import { z } from "zod";

/** A zod error as one readable line: `path: message; ...` (the first `max` problems). */
export function describeIssues(error: z.ZodError, root = "input", max = 5): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.join(".") || root}: ${i.message}`)
    .join("; ");
}

/** A name or title a person typed: trimmed, at most `max` characters, no control characters
 *  (nor lone surrogates), at least `min` after trimming. */
export const plainText = (max: number, min = 0) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[^\p{Cc}\p{Cs}]*$/u, "no control characters");
