import { z } from "zod";

/** The position after the last item of a page. Opaque to clients (base64url JSON), but
 *  validated on the way back in: a forged or foreign cursor is a 400, never a query error. */
export const cursorSchema = z.strictObject({
  s: z.enum(["recent", "score"]),
  /** createdAt in microseconds; for `score` also the score. */
  c: z.number().int(),
  a: z.number().finite().optional(),
  id: z.string().min(1).max(1500),
});
export type FeedCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: FeedCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(raw: string): FeedCursor | null {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
