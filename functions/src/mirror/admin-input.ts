import { z } from "zod";
import { docId } from "./task";

/** `retryDeadMirrorTasks({ taskIds? })`: all dead tasks, or these (at most 500). */
export const retryDeadInput = z.strictObject({ taskIds: z.array(docId).min(1).max(500).optional() });
