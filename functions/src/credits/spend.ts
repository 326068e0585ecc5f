import { HttpsError } from "firebase-functions/https";
import { userPath } from "../people/model";
import { newOutboxId, type PeopleDeps } from "../people/users";
import { isDocumentId } from "../shared/ids";
import { runContendedTransaction } from "../shared/transaction";
import { balanceOf, flushCredits, writeLedgerEntry, type BalanceChange } from "./ledger";
import * as logs from "./logs";
import { ledgerEntryId, ledgerPath, maxSpendCredits } from "./model";

/** Many spends of one user (a burst of generations) serialize on their user document: more
 *  attempts than the SDK's 5, so contention alone never fails a spend. */
const maxAttempts = 30;
const maxReasonLength = 200;
const maxRefLength = 1500;

function checkArguments(uid: string, reason: string, ref: string, amount?: number): void {
  if (!isDocumentId(uid)) throw new HttpsError("invalid-argument", "uid: not a valid document id");
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 1 || amount > maxSpendCredits))
    throw new HttpsError("invalid-argument", `amount: an integer from 1 to ${maxSpendCredits}`);
  if (typeof reason !== "string" || reason.length < 1 || reason.length > maxReasonLength)
    throw new HttpsError("invalid-argument", `reason: 1 to ${maxReasonLength} characters`);
  if (typeof ref !== "string" || ref.length < 1 || ref.length > maxRefLength)
    throw new HttpsError("invalid-argument", `ref: 1 to ${maxRefLength} characters`);
}

/**
 * Takes `amount` credits from the user for `ref` (what they pay for: a generation's id). ONE
 * transaction reads the user document and the spend's ledger entry (`spend_<sha256(ref)>`):
 * - the entry exists: this ref was charged already (a retried call); nothing is written and
 *   the current balance is answered with `duplicate: true` (the same ref with another amount
 *   is `invalid-argument`);
 * - the balance is below `amount`: `failed-precondition`, nothing written;
 * - otherwise the ledger entry `{ delta: -amount, reason, ref, balanceAfter, at }`, the new
 *   balance and the cache outbox entry are committed together, and the outbox flushed.
 * Every spend of a user reads and writes their user document, so concurrent spends serialize
 * there: the balance never goes below 0, whatever the concurrency.
 */
export async function spendCredits(deps: PeopleDeps, uid: string, amount: number, reason: string, ref: string): Promise<BalanceChange> {
  checkArguments(uid, reason, ref, amount);
  const { db } = deps;
  const entryId = ledgerEntryId("spend", ref);
  const entryRef = db.doc(`${ledgerPath(uid)}/${entryId}`);
  const userRef = db.doc(userPath(uid));
  const outboxId = newOutboxId("credits");
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [user, entry] = await tx.getAll(userRef, entryRef);
      const balance = balanceOf(user!);
      if (entry!.exists) {
        if (entry!.get("delta") !== -amount)
          throw new HttpsError("invalid-argument", `ref: already spent with another amount (${-(entry!.get("delta") as number)})`);
        return { balance, duplicate: true };
      }
      if (balance < amount) {
        logs.spendRefused(uid, amount, ref, balance);
        throw new HttpsError("failed-precondition", `Not enough credits: ${amount} needed, ${balance} left.`);
      }
      const after = writeLedgerEntry(db, tx, { uid, ref: entryRef, balanceBefore: balance, delta: -amount, reason, cause: ref, outboxId });
      return { balance: after, duplicate: false };
    },
    maxAttempts,
  );
  if (!result.duplicate) {
    logs.creditsSpent(uid, amount, reason, ref, result.balance);
    await flushCredits(deps, uid, outboxId);
  }
  return { entryId, ...result };
}

export interface Refund extends BalanceChange {
  /** The credits given back: the spend's amount, or 0 when no spend of this ref exists. */
  refunded: number;
}

/**
 * Gives back what `spendCredits` took for `ref` (a generation that failed). ONE transaction
 * reads the user document, the spend's entry and the refund's entry (`refund_<sha256(ref)>`):
 * a refund already there is a duplicate (nothing written); no spend of this ref refunds 0 and
 * writes nothing (there is nothing to give back, so a refund can never mint credits);
 * otherwise the refund entry `{ delta: +amount, ... }`, the balance and the outbox entry are
 * committed together. So a ref is refunded at most once and never more than it cost.
 */
export async function refundCredits(deps: PeopleDeps, uid: string, ref: string, reason: string): Promise<Refund> {
  checkArguments(uid, reason, ref);
  const { db } = deps;
  const entryId = ledgerEntryId("refund", ref);
  const refundRef = db.doc(`${ledgerPath(uid)}/${entryId}`);
  const spendRef = db.doc(`${ledgerPath(uid)}/${ledgerEntryId("spend", ref)}`);
  const userRef = db.doc(userPath(uid));
  const outboxId = newOutboxId("credits");
  const result = await runContendedTransaction(
    db,
    async (tx) => {
      const [user, spend, refund] = await tx.getAll(userRef, spendRef, refundRef);
      const balance = balanceOf(user!);
      if (refund!.exists) return { balance, duplicate: true, refunded: refund!.get("delta") as number };
      if (!spend!.exists) return { balance, duplicate: false, refunded: 0 };
      const amount = -(spend!.get("delta") as number);
      const after = writeLedgerEntry(db, tx, { uid, ref: refundRef, balanceBefore: balance, delta: amount, reason, cause: ref, outboxId });
      return { balance: after, duplicate: false, refunded: amount };
    },
    maxAttempts,
  );
  if (!result.duplicate && result.refunded > 0) {
    logs.creditsRefunded(uid, result.refunded, reason, ref, result.balance);
    await flushCredits(deps, uid, outboxId);
  }
  return { entryId, ...result };
}
