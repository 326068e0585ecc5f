import { FieldValue, type Firestore, type Transaction } from "firebase-admin/firestore";
import { mirrorQueue } from "./paths";
import type { MirrorTask } from "./task";

export type NewTask = Pick<MirrorTask, "op" | "uid" | "historyId" | "updates">;

function taskFields(task: NewTask) {
  return {
    ...task,
    status: "pending",
    attempts: 0,
    createdAt: FieldValue.serverTimestamp(),
    updatedAt: FieldValue.serverTimestamp(),
  };
}

/** Enqueues under a caller-chosen id (a trigger uses its event id), so a redelivered event
 *  finds its task already there and adds nothing: `create` fails with ALREADY_EXISTS. */
export async function enqueueOnce(db: Firestore, taskId: string, task: NewTask): Promise<boolean> {
  try {
    await db.collection(mirrorQueue).doc(taskId).create(taskFields(task));
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 6 /* ALREADY_EXISTS */) return false;
    throw error;
  }
}

/** Enqueues inside a caller's transaction (the admin score update) under a fresh id. */
export function enqueueInTransaction(db: Firestore, tx: Transaction, task: NewTask): string {
  const ref = db.collection(mirrorQueue).doc();
  tx.create(ref, taskFields(task));
  return ref.id;
}
