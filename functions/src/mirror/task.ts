import { z } from "zod";
import { docId } from "../shared/ids";

export const taskOps = ["upsert", "update", "remove"] as const;
export const taskStatuses = ["pending", "processing", "done", "failed", "dead"] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** What a mirrorQueue task must hold to be processed. `updates` are hints for logs and
 *  debugging only: the processor always re-reads the source, which is the authority. */
export const mirrorTaskSchema = z.object({
  op: z.enum(taskOps),
  uid: docId,
  historyId: docId,
  updates: z.record(z.string(), z.unknown()).optional(),
  status: z.enum(taskStatuses),
  attempts: z.number().int().min(0),
});
export type MirrorTask = z.infer<typeof mirrorTaskSchema>;

/** After this many attempts a failing task is `dead`: kept, visible, retried only by an admin. */
export const maxAttempts = 5;
