import * as logger from "firebase-functions/logger";
import type { DocumentData, Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import { enqueueOnce, type NewTask } from "./enqueue";

/** Fields whose new values travel with a task as hints (never as the authority). */
const hintFields = ["aestheticScore", "isPublic", "isDeleted", "prompt", "model", "images", "videos"] as const;

export interface SourceWrite {
  eventId: string;
  uid: string;
  historyId: string;
  before: DocumentData | undefined;
  after: DocumentData | undefined;
}

/** The task a source write asks for: every write enqueues one, so no writer can forget it. */
export function taskForWrite(write: SourceWrite): NewTask {
  const { uid, historyId, before, after } = write;
  if (!after) return { op: "remove", uid, historyId };
  if (!before) return { op: "upsert", uid, historyId };
  const updates: Record<string, unknown> = {};
  for (const field of hintFields) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) updates[field] = after[field] ?? null;
  }
  return { op: "update", uid, historyId, updates };
}

/** Handler of `onGenerationHistoryWritten`. The task id is the event id, so a redelivered
 *  event enqueues nothing new. The owner's own reads of their sets (mySets, getSet) read the
 *  source, so they only need a bump, within this one hop: a redelivery bumps again, which is
 *  harmless, and a bump Redis cannot confirm goes to the outbox (invalidate throws only when
 *  that fails too, and then the platform retries the event). */
export async function onSourceWritten(db: Firestore, cache: Pick<Cache, "invalidate">, write: SourceWrite): Promise<void> {
  const task = taskForWrite(write);
  const created = await enqueueOnce(db, write.eventId, task);
  logger.debug("mirror task enqueued", { taskId: write.eventId, op: task.op, historyId: write.historyId, created });
  await cache.invalidate(writes.setsChanged.tags({ uid: write.uid }));
}
