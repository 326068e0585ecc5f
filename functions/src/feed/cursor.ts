import { z } from "zod";
import { cursorTime, decodeCursor } from "../shared/cursor";
import { docId } from "../shared/ids";

/** The position after the last item of a feed page: its createdAt, (for `score`, and only
 *  there) its score, and its id. Opaque to clients (see shared/cursor.ts). A score cursor
 *  without its score, or a recent one with a score, was never issued: refused, so neither a
 *  default score nor an ignored one gives one position two cache keys. */
export const feedCursorSchema = z
  .strictObject({
    s: z.enum(["recent", "score"]),
    t: cursorTime,
    a: z.number().finite().optional(),
    id: docId,
  })
  .refine((c) => (c.s === "score") === (c.a !== undefined), "a score cursor carries the score (a), a recent one does not");
export type FeedCursor = z.infer<typeof feedCursorSchema>;

export const decodeFeedCursor = (raw: string) => decodeCursor(raw, feedCursorSchema);
