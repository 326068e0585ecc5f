import { userPath } from "../people/model";
import { ensureUser, newOutboxId, type PeopleDeps } from "../people/users";
import { runContendedTransaction } from "../shared/transaction";
import { balanceOf, flushCredits, writeLedgerEntry, type BalanceChange } from "./ledger";
import * as logs from "./logs";
import { ledgerEntryId, ledgerPath, purchaseReason } from "./model";
import type { PurchaseEvent } from "./schemas";

/**
 * Credits a purchase event (its signature already checked): the user's document is created if
 * they have none yet (the uid comes from the payment provider), then ONE transaction reads the
 * event's ledger entry (`purchase_<sha256(event id)>`) and the user document; if the entry is
 * there the event was applied before and nothing is written (a provider's retry, a replay),
 * otherwise it creates the entry, raises the balance and records the cache outbox entry. The
 * outbox is flushed after the commit.
 */
export async function applyPurchase(deps: PeopleDeps, event: PurchaseEvent): Promise<BalanceChange> {
  const { db } = deps;
  const { uid } = event;
  await ensureUser(deps, uid);
  const entryId = ledgerEntryId("purchase", event.id);
  const entryRef = db.doc(`${ledgerPath(uid)}/${entryId}`);
  const userRef = db.doc(userPath(uid));
  const outboxId = newOutboxId("credits");
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [entry, user] = await tx.getAll(entryRef, userRef);
      if (entry!.exists) return { balance: balanceOf(user!), duplicate: true };
      const balance = writeLedgerEntry(db, tx, {
        uid,
        ref: entryRef,
        balanceBefore: balanceOf(user!),
        delta: event.credits,
        reason: purchaseReason,
        cause: event.id,
        outboxId,
      });
      return { balance, duplicate: false };
    },
    20,
  );
  if (result.duplicate) {
    logs.purchaseReplayed(event.id, uid);
    return { entryId, ...result };
  }
  logs.purchaseApplied(event.id, uid, event.credits, result.balance);
  await flushCredits(deps, uid, outboxId);
  return { entryId, ...result };
}
