import type { z } from "zod";

/** A zod error as one readable line: `path: message; ...` (the first `max` problems). */
export function describeIssues(error: z.ZodError, root = "input", max = 5): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.join(".") || root}: ${i.message}`)
    .join("; ");
}
