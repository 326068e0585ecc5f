import { z } from "zod";
import { docId } from "../shared/ids";

/** `publicFeed` query parameters. */
export const feedQuerySchema = z.strictObject({
  sort: z.enum(["recent", "score"]).default("recent"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  cursor: z.string().min(1).max(2000).optional(),
});

/** `publicGeneration` query parameters. */
export const generationQuerySchema = z.strictObject({ id: docId });
