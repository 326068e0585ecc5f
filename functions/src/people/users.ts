import { randomUUID } from "node:crypto";
import { FieldValue, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import type { Cache } from "../cache/cache";
import { writes } from "../cache/map";
import { flushUntilConfirmed, recordInTransaction } from "../cache/outbox";
import { runContendedTransaction } from "../shared/transaction";
import { userPath, type PublicProfile, type UserCard } from "./model";

export interface AuthProfile {
  displayName: string | null;
  photoURL: string | null;
}

export interface PeopleDeps {
  db: Firestore;
  cache: Cache;
  /** The name and picture of this uid's Auth account (null: no such account; a user can exist
   *  before their user document does): a follow's check of its target, and a profile's last
   *  resort for a user who has neither a handle nor a public item. */
  authProfile?: (uid: string) => Promise<AuthProfile | null>;
  /** Accounts a user may follow (the LIMIT_FOLLOWING_PER_USER param when absent). */
  maxFollowing?: number;
  /** How long a write keeps retrying its cache invalidation before leaving it to the outbox. */
  invalidationDeadlineMs?: number;
}

/** Bumps the tags a committed write recorded in the outbox under `outboxId`: the next read on
 *  any instance is fresh (or, when Redis does not confirm in time, once the outbox is replayed). */
export function flushOutbox(deps: PeopleDeps, outboxId: string, tags: string[]): Promise<boolean> {
  return flushUntilConfirmed(deps.db, (t) => deps.cache.bump(t), [{ id: outboxId, tags }], deps.invalidationDeadlineMs ?? 10_000);
}

export const newOutboxId = (what: string) => `${what}-${randomUUID()}`;

/** The user's document, created on their first people call or by someone else's action on
 *  them (a like, a comment, a follow). It claims no username: a handle is what its owner picks
 *  (updateProfile), never one made up or taken from data a user could write; until then every
 *  read shows what each item says of its author (cards.ts). Idempotent: a second call (or a
 *  concurrent one) finds the document and writes nothing. A profile read never caches "no such
 *  user" (absent users are thrown), and creation bumps the user's own tag. */
export async function ensureUser(deps: PeopleDeps, uid: string): Promise<void> {
  const ref = deps.db.doc(userPath(uid));
  if ((await ref.get()).exists) return;
  const outboxId = newOutboxId("user");
  // Concurrent first actions (three deliveries of one purchase) all try to create the user.
  const created = await runContendedTransaction(
    deps.db,
    async (tx) => {
      if ((await tx.get(ref)).exists) return false;
      tx.create(ref, {
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
    username: str(snap, "username"),
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
