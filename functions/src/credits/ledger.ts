import { FieldValue, type DocumentReference, type DocumentSnapshot, type Firestore, type Transaction } from "firebase-admin/firestore";
import { writes } from "../cache/map";
import { recordInTransaction } from "../cache/outbox";
import { userPath } from "../people/model";
import { flushOutbox, type PeopleDeps } from "../people/users";

/** What a credits call did: the ledger entry of its cause, the balance after it (after the
 *  earlier call, for a duplicate), and whether it was a duplicate that changed nothing. */
export interface BalanceChange {
  entryId: string;
  balance: number;
  duplicate: boolean;
}

/** A user document's balance (0 when the document or the field is missing). */
export function balanceOf(user: DocumentSnapshot): number {
  const credits = user.get("credits") as unknown;
  return typeof credits === "number" && Number.isSafeInteger(credits) ? credits : 0;
}

/** Inside the transaction that read the user document: the ledger entry, the new balance and
 *  the cache outbox entry, all in one commit. Returns the balance after. */
export function writeLedgerEntry(
  db: Firestore,
  tx: Transaction,
  entry: { uid: string; ref: DocumentReference; balanceBefore: number; delta: number; reason: string; cause: string; outboxId: string },
): number {
  const balanceAfter = entry.balanceBefore + entry.delta;
  tx.create(entry.ref, { delta: entry.delta, reason: entry.reason, ref: entry.cause, balanceAfter, at: FieldValue.serverTimestamp() });
  tx.update(db.doc(userPath(entry.uid)), { credits: balanceAfter });
  recordInTransaction(db, tx, entry.outboxId, writes.creditsChanged.tags({ uid: entry.uid }), Date.now());
  return balanceAfter;
}

/** After the commit: bumps the user's account tag (the `me` read), so their next read anywhere
 *  shows the new balance (or, if Redis does not confirm in time, once the outbox is replayed). */
export const flushCredits = (deps: PeopleDeps, uid: string, outboxId: string) =>
  flushOutbox(deps, outboxId, writes.creditsChanged.tags({ uid }));
