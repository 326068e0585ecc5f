import { z } from "zod";
import { docId } from "../mirror/task";

/** `publicFeed` query parameters. */
export const feedQuerySchema = z.strictObject({
  sort: z.enum(["recent", "score"]).default("recent"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().min(1).max(2000).optional(),
});

/** `publicGeneration` query parameters. */
export const generationQuerySchema = z.strictObject({ id: docId });

/** Express puts repeated parameters in arrays; one value each is all we accept. */
export function singleValues(query: Record<string, unknown>): Record<string, unknown> | string {
  for (const [key, value] of Object.entries(query)) if (typeof value !== "string") return `parameter "${key}" must be given once`;
  return query;
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
}
