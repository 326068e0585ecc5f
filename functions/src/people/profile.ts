import { FieldValue } from "firebase-admin/firestore";
import { HttpsError } from "firebase-functions/https";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import * as logs from "./logs";
import { userPath, usernamePath, type PublicProfile } from "./model";
import type { UpdateProfileInput } from "./schemas";
import { usernameKey } from "./username";
import { ensureUser, flushOutbox, newOutboxId, publicProfileOf, type PeopleDeps } from "./users";

/**
 * `updateProfile`: one transaction on the user's document (and, for a new name, the two
 * `usernames` registry documents). Items are never rewritten: every read joins the author's
 * current card (cards.ts), so a rename costs the same for 1 item or 100,000, and the one tag
 * `profile:{uid}` makes every read that shows the name fresh on its next call.
 */
export async function updateProfile(deps: PeopleDeps, uid: string, input: UpdateProfileInput): Promise<PublicProfile> {
  await ensureUser(deps, uid);
  const { db } = deps;
  const ref = db.doc(userPath(uid));
  const outboxId = newOutboxId("profile");
  const tags = writes.profileUpdated.tags({ uid });
  await db.runTransaction(async (tx) => {
    const user = await tx.get(ref);
    const update: Record<string, unknown> = {};
    if (input.username !== undefined && input.username !== user.get("username")) {
      const key = usernameKey(input.username);
      const oldKey = user.get("usernameKey") as string | undefined; // none before the first claim
      if (key !== oldKey) {
        const holder = await tx.get(db.doc(usernamePath(key)));
        if (holder.exists && holder.get("uid") !== uid) throw new HttpsError("already-exists", "That username is taken.");
        tx.set(db.doc(usernamePath(key)), { uid });
        if (oldKey !== undefined) tx.delete(db.doc(usernamePath(oldKey)));
      }
      Object.assign(update, { username: input.username, usernameKey: key });
    }
    for (const field of ["displayName", "avatarUrl", "bio"] as const)
      if (input[field] !== undefined) update[field] = input[field] === "" ? FieldValue.delete() : input[field];
    tx.update(ref, { ...update, updatedAt: FieldValue.serverTimestamp() });
    recordInTransaction(db, tx, outboxId, tags, Date.now());
  });
  await flushOutbox(deps, outboxId, tags);
  logs.profileUpdated(uid, Object.keys(input));
  return publicProfileOf(await ref.get());
}
