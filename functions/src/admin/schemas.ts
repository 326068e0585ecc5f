import { z } from "zod";
import { docId } from "../shared/ids";

// Inputs of the admin callables that have no domain module of their own. (updateScoreInput,
// runJobInput, listRunsInput and findItemsInput live beside their logic.)

/** `retryDeadMirrorTasks({ taskIds? })`: all dead tasks, or these (at most 500). */
export const retryDeadInput = z.strictObject({ taskIds: z.array(docId).min(1).max(500).optional() });

/** Callables that take no parameters: `{}` (or nothing), and no unknown field. */
export const noInput = z.strictObject({});
