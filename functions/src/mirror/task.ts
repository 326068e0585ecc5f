import { z } from "zod";

export const taskOps = ["upsert", "update", "remove"] as const;
export const taskStatuses = ["pending", "processing", "done", "failed", "dead"] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** Document ids are at most 1500 bytes, cannot contain "/" and cannot be "." or "..". */
export const docId = z
  .string()
  .min(1)
  .max(1500)
  .refine((s) => !s.includes("/") && s !== "." && s !== ".." && !/^__.*__$/.test(s), "not a valid document id");

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
