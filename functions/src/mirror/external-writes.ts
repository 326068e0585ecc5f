import type { DocumentData } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import { coverMoved } from "./write";

/**
 * Handler of `onGenerationWritten`: a write to the public mirror that Fresco's pipeline did
 * not make (an image pipeline adding a thumbnail, a hand fix) invalidates the item's cached
 * reads, within one trigger hop. Fresco's own writes stamp a new `mirroredAt` and already
 * recorded their tags in the outbox: those are skipped. A deletion carries no stamp, so
 * whoever made it (the pipeline, or someone deleting the document by hand), it is bumped:
 * bumping twice is harmless, so redelivery is too; a bump Redis cannot confirm goes to the
 * outbox.
 */
export async function onMirrorWritten(
  cache: Cache,
  historyId: string,
  before: DocumentData | undefined,
  after: DocumentData | undefined,
): Promise<boolean> {
  const doc = after ?? before;
  if (!doc) return false;
  const stampedByPipeline =
    after !== undefined && after.mirroredAt !== undefined && !(before?.mirroredAt?.isEqual?.(after.mirroredAt) ?? false);
  if (stampedByPipeline) return false;
  const uid = typeof doc.uid === "string" && doc.uid !== "" ? doc.uid : undefined;
  const cover = coverMoved(before, after) ? writes.coverChanged.tags({ historyId }) : [];
  await cache.invalidate([...writes.mirrorChanged.tags({ historyId, ...(uid ? { uid } : {}) }), ...cover]);
  return true;
}
