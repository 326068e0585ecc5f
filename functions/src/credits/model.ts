import { createHash } from "node:crypto";
import { userPath } from "../people/model";

/**
 * Credits. The balance is the `credits` field of `users/{uid}` (people/model.ts); every change
 * of it is one entry of the user's ledger, written in the same transaction:
 *
 * `users/{uid}/creditLedger/{entryId}`: { delta, reason, ref, balanceAfter, at }. `delta` is
 *   the signed change (a purchase > 0, a spend < 0, a refund > 0), `balanceAfter` the balance
 *   that transaction left (so the entries of a user, ordered by `at`, replay the balance), `ref`
 *   what it was for (the provider's event id, the caller's spend ref). The id is derived from
 *   the cause, so the same cause twice finds its entry and changes nothing: `purchase_`,
 *   `spend_` or `refund_` and the SHA-256 of the event id or ref (any id or ref then gives a
 *   valid document id of fixed length). Server-only: no client access.
 */
export const creditLedger = "creditLedger";

export type LedgerKind = "purchase" | "spend" | "refund";

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

export const ledgerEntryId = (kind: LedgerKind, cause: string) => `${kind}_${sha256(cause)}`;
export const ledgerPath = (uid: string) => `${userPath(uid)}/${creditLedger}`;
export const ledgerEntryPath = (uid: string, kind: LedgerKind, cause: string) => `${ledgerPath(uid)}/${ledgerEntryId(kind, cause)}`;

/** The reason of a purchase's ledger entry. */
export const purchaseReason = "purchase";

/** The largest purchase one event may carry. */
export const maxPurchaseCredits = 1_000_000;
/** The largest single spend (a generation costs a handful). */
export const maxSpendCredits = 1_000_000;
