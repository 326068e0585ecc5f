import { HttpsError } from "firebase-functions/https";
import { mirrorPath } from "../mirror/paths";
import { ensureUser, type PeopleDeps } from "../people/users";

/** Only public, live items have a mirror, so a missing mirror is one answer for a private,
 *  deleted or unknown item alike. */
export const notPublic = () => new HttpsError("not-found", "No such public image.");

/** The owner of a public item, before its write's transaction: their user document must exist
 *  for the notification the write raises (its unread count is incremented, not read). */
export async function publicOwner(deps: PeopleDeps, historyId: string): Promise<string | null> {
  const mirror = await deps.db.doc(mirrorPath(historyId)).get();
  const owner = mirror.get("uid") as string | undefined;
  if (!mirror.exists || !owner) return null;
  await ensureUser(deps, owner);
  return owner;
}
