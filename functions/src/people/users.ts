import { randomUUID } from "node:crypto";
import { FieldValue, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import { flushUntilConfirmed, recordInTransaction } from "../cache/outbox";
import { runContendedTransaction } from "../shared/transaction";
import { userPath, usernamePath, type PublicProfile, type UserCard } from "./model";
import { defaultUsername, usernameKey } from "./username";

export interface PeopleDeps {
  db: Firestore;
  cache: Cache;
  /** Whether Firebase Auth knows this uid (a user can exist before their user document does). */
  accountExists?: (uid: string) => Promise<boolean>;
  /** How long a write keeps retrying its cache invalidation before leaving it to the outbox. */
  invalidationDeadlineMs?: number;
}

/** Bumps the tags a committed write recorded in the outbox under `outboxId`: the next read on
 *  any instance is fresh (or, when Redis does not confirm in time, once the outbox is replayed). */
export function flushOutbox(deps: PeopleDeps, outboxId: string, tags: string[]): Promise<boolean> {
  return flushUntilConfirmed(deps.db, (t) => deps.cache.bump(t), [{ id: outboxId, tags }], deps.invalidationDeadlineMs ?? 10_000);
}

export const newOutboxId = (what: string) => `${what}-${randomUUID()}`;

/** The user's document, created with a free default username on their first people call.
 *  Idempotent: a second call (or a concurrent one) finds the document and writes nothing. A
 *  profile read may have cached "no such user" as a miss, never as an entry (absent users are
 *  thrown, not cached), so creation needs no invalidation beyond its own tag, bumped here. */
export async function ensureUser(deps: PeopleDeps, uid: string): Promise<void> {
  const ref = deps.db.doc(userPath(uid));
  if ((await ref.get()).exists) return;
  const outboxId = newOutboxId("user");
  // Concurrent first actions (three deliveries of one purchase) all try to create the user.
  const created = await runContendedTransaction(
    deps.db,
    async (tx) => {
      if ((await tx.get(ref)).exists) return false;
      let username = defaultUsername(uid);
      for (let attempt = 1; (await tx.get(deps.db.doc(usernamePath(usernameKey(username))))).exists; attempt++)
        username = defaultUsername(uid, attempt);
      tx.create(deps.db.doc(usernamePath(usernameKey(username))), { uid });
      tx.create(ref, {
        username,
        usernameKey: usernameKey(username),
        credits: 0,
        followersCount: 0,
        followingCount: 0,
        unreadNotifications: 0,
        createdAt: FieldValue.serverTimestamp(),
        updatedAt: FieldValue.serverTimestamp(),
      });
      recordInTransaction(deps.db, tx, outboxId, writes.profileUpdated.tags({ uid }), Date.now());
      return true;
    },
    5,
  );
  if (created) await flushOutbox(deps, outboxId, writes.profileUpdated.tags({ uid }));
}

const str = (snap: DocumentSnapshot, field: string) => (snap.get(field) as string | undefined) ?? null;

export function publicProfileOf(snap: DocumentSnapshot): PublicProfile {
  return {
    uid: snap.id,
    username: snap.get("username") as string,
    displayName: str(snap, "displayName"),
    avatarUrl: str(snap, "avatarUrl"),
    bio: str(snap, "bio"),
    followersCount: (snap.get("followersCount") as number) ?? 0,
    followingCount: (snap.get("followingCount") as number) ?? 0,
  };
}

/** A user's card, or null when they have no user document (an author who never used a
 *  people callable: the item's own `createdBy` names them then). */
export async function loadCard(db: Firestore, uid: string): Promise<UserCard | null> {
  const snap = await db.doc(userPath(uid)).get();
  if (!snap.exists) return null;
  return { uid, username: str(snap, "username"), displayName: str(snap, "displayName"), avatarUrl: str(snap, "avatarUrl") };
}
