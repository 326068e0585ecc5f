import { z } from "zod";
import { cursorTime, decodeCursor } from "../shared/cursor";
import { docId } from "../shared/ids";

/** The position after the last item of a feed page: its createdAt, (for `score`) its score,
 *  and its id. Opaque to clients (see shared/cursor.ts). */
export const feedCursorSchema = z.strictObject({
  s: z.enum(["recent", "score"]),
  t: cursorTime,
  a: z.number().finite().optional(),
  id: docId,
});
export type FeedCursor = z.infer<typeof feedCursorSchema>;

export const decodeFeedCursor = (raw: string) => decodeCursor(raw, feedCursorSchema);
