import type { DocumentReference, DocumentSnapshot, Firestore, Transaction } from "firebase-admin/firestore";
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

/** What a step read of the user, and the outbox entry its write will record. */
const readState = (user: DocumentSnapshot, duplicate: boolean) => ({
  balance: balanceOf(user),
  duplicate,
  outboxId: newOutboxId("credits"),
});

const entryOf = (db: Firestore, uid: string, kind: "spend" | "refund", ref: string) => {
  const entryId = ledgerEntryId(kind, ref);
  return { entryId, entryRef: db.doc(`${ledgerPath(uid)}/${entryId}`) };
};

/** A spend or refund read inside a caller's transaction, to be written by `chargeSpend` /
 *  `creditRefund` in the same transaction (after every other read of it). */
export interface CreditStep {
  uid: string;
  reason: string;
  ref: string;
  entryId: string;
  entryRef: DocumentReference;
  balance: number;
  /** This ref was charged (or refunded) already: writing it changes nothing. */
  duplicate: boolean;
  /** What the write moves: the spend's amount, or what a refund gives back (0: no spend of this ref). */
  amount: number;
  outboxId: string;
}

/**
 * The reads of a spend of `amount` for `ref` (what the user pays for: a generation's id), in
 * the caller's transaction: the user document and the spend's ledger entry
 * (`spend_<sha256(ref)>`). An entry already there with another amount is `invalid-argument`.
 */
export async function readSpend(
  db: Firestore,
  tx: Transaction,
  uid: string,
  amount: number,
  reason: string,
  ref: string,
): Promise<CreditStep> {
  checkArguments(uid, reason, ref, amount);
  const { entryId, entryRef } = entryOf(db, uid, "spend", ref);
  const [user, entry] = await tx.getAll(db.doc(userPath(uid)), entryRef);
  if (entry!.exists && entry!.get("delta") !== -amount)
    throw new HttpsError("invalid-argument", `ref: already spent with another amount (${-(entry!.get("delta") as number)})`);
  return { uid, reason, ref, entryId, entryRef, amount, ...readState(user!, entry!.exists) };
}

/** Writes a spend read by `readSpend`: the ledger entry `{ delta: -amount, ... }`, the new
 *  balance and the cache outbox entry, in the caller's transaction. A balance below the amount
 *  is `failed-precondition` (the transaction then commits nothing). Returns the balance after. */
export function chargeSpend(db: Firestore, tx: Transaction, step: CreditStep): number {
  if (step.duplicate) return step.balance;
  if (step.balance < step.amount) {
    logs.spendRefused(step.uid, step.amount, step.ref, step.balance);
    throw new HttpsError("failed-precondition", `Not enough credits: ${step.amount} needed, ${step.balance} left.`);
  }
  return writeLedgerEntry(db, tx, { ...step, ref: step.entryRef, balanceBefore: step.balance, delta: -step.amount, cause: step.ref });
}

/**
 * The reads of a refund of what `ref` cost, in the caller's transaction: the user document,
 * the spend's entry and the refund's entry (`refund_<sha256(ref)>`). A refund already there is
 * a duplicate; no spend of this ref refunds 0 (a refund can never mint credits).
 */
export async function readRefund(db: Firestore, tx: Transaction, uid: string, ref: string, reason: string): Promise<CreditStep> {
  checkArguments(uid, reason, ref);
  const { entryId, entryRef } = entryOf(db, uid, "refund", ref);
  const [user, spend, refund] = await tx.getAll(db.doc(userPath(uid)), entryOf(db, uid, "spend", ref).entryRef, entryRef);
  const amount = refund!.exists ? (refund!.get("delta") as number) : spend!.exists ? -(spend!.get("delta") as number) : 0;
  return { uid, reason, ref, entryId, entryRef, amount, ...readState(user!, refund!.exists) };
}

/** Writes a refund read by `readRefund` in the caller's transaction. Returns the balance after. */
export function creditRefund(db: Firestore, tx: Transaction, step: CreditStep): number {
  if (step.duplicate || step.amount === 0) return step.balance;
  return writeLedgerEntry(db, tx, { ...step, ref: step.entryRef, balanceBefore: step.balance, delta: step.amount, cause: step.ref });
}

/** After the commit of a step that changed the balance: its log line and the `me` read's tag. */
export async function settleCreditStep(deps: PeopleDeps, step: CreditStep, kind: "spend" | "refund", balance: number): Promise<void> {
  if (step.duplicate || step.amount === 0) return;
  if (kind === "spend") logs.creditsSpent(step.uid, step.amount, step.reason, step.ref, balance);
  else logs.creditsRefunded(step.uid, step.amount, step.reason, step.ref, balance);
  await flushCredits(deps, step.uid, step.outboxId);
}

/**
 * Takes `amount` credits from the user for `ref`, in ONE transaction of its own:
 * - this ref was charged already (a retried call): nothing is written and the current balance
 *   is answered with `duplicate: true` (the same ref with another amount is `invalid-argument`);
 * - the balance is below `amount`: `failed-precondition`, nothing written;
 * - otherwise the ledger entry, the new balance and the cache outbox entry are committed
 *   together, and the outbox flushed.
 * Every spend of a user reads and writes their user document, so concurrent spends serialize
 * there: the balance never goes below 0, whatever the concurrency.
 */
export async function spendCredits(deps: PeopleDeps, uid: string, amount: number, reason: string, ref: string): Promise<BalanceChange> {
  const { db } = deps;
  const { step, balance } = await runContendedTransaction(
    db,
    async (tx) => {
      const step = await readSpend(db, tx, uid, amount, reason, ref);
      return { step, balance: chargeSpend(db, tx, step) };
    },
    maxAttempts,
  );
  await settleCreditStep(deps, step, "spend", balance);
  return { entryId: step.entryId, balance, duplicate: step.duplicate };
}

export interface Refund extends BalanceChange {
  /** The credits given back: the spend's amount, or 0 when no spend of this ref exists. */
  refunded: number;
}

/** Gives back what `spendCredits` took for `ref` (a generation that failed), in one transaction
 *  of its own: at most once, and never more than the ref cost. */
export async function refundCredits(deps: PeopleDeps, uid: string, ref: string, reason: string): Promise<Refund> {
  const { db } = deps;
  const { step, balance } = await runContendedTransaction(
    db,
    async (tx) => {
      const step = await readRefund(db, tx, uid, ref, reason);
      return { step, balance: creditRefund(db, tx, step) };
    },
    maxAttempts,
  );
  await settleCreditStep(deps, step, "refund", balance);
  return { entryId: step.entryId, balance, duplicate: step.duplicate, refunded: step.amount };
}

/** The attempts a transaction that spends or refunds should allow (one user's spends serialize). */
export const creditTransactionAttempts = maxAttempts;
