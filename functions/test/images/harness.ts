import { Timestamp } from "firebase-admin/firestore";
import { Cache } from "../../src/cache/cache";
import { sourcePath } from "../../src/mirror/paths";
import { syncItem } from "../../src/mirror/rebuild";
import { sourceItem } from "../helpers/fixtures";
import { db } from "../helpers/firestore";
import { testCache } from "../helpers/redis";

let cache: Cache | undefined;
/** The tags of a pipeline write are bumped on the run's real Redis (the functions' cache). */
const bump = (tags: string[]) => (cache ??= testCache()).bump(tags);

/** A source item by `uid`, brought to the mirror as the pipeline does (public unless told). */
export async function publish(uid: string, historyId: string, fields: Record<string, unknown> = {}): Promise<void> {
  await db()
    .doc(sourcePath(uid, historyId))
    .set(sourceItem(uid, { createdAt: Timestamp.now(), updatedAt: Timestamp.now(), ...fields }));
  await syncItem(db(), bump, uid, historyId, Date.now());
}

export type Details = {
  item: { historyId: string; uid: string; likeCount: number; commentCount: number; creator: { username: string | null } };
  comments: Array<{ commentId: string; uid: string; username: string | null; text: string; likeCount: number; createdAt: string }>;
  nextCursor: string | null;
};
export type State = { liked: boolean; likedCommentIds: string[]; collectionIds: string[] };
export type Page = { items: Array<{ historyId: string }>; nextCursor: string | null };
export type Collections = {
  collections: Array<{ collectionId: string; name: string; description: string; itemCount: number; coverUrl: string | null }>;
};
