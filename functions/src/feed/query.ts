import { z } from "zod";
import { docId } from "../shared/ids";

/** `publicFeed` query parameters. */
export const feedQuerySchema = z.strictObject({
  sort: z.enum(["recent", "score"]).default("recent"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  // No length limit of its own: decodeCursor bounds it. (2000 here refused the cursors the
  // feed itself issues after an item whose id is near the 1,500-byte limit.)
  cursor: z.string().min(1).optional(),
});

/** `publicGeneration` query parameters. */
export const generationQuerySchema = z.strictObject({ id: docId });
