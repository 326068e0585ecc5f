import type { Firestore, Transaction } from "firebase-admin/firestore";

/**
 * `db.runTransaction` for documents many callers write at once (a busy canvas project, a
 * voter's ballot), with `maxAttempts` above the SDK's 5.
 *
 * The SDK retries ABORTED, which is how production reports a lost lock. The Firestore
 * emulator, which locks pessimistically, can instead end the losing transaction and answer its
 * next request with INVALID_ARGUMENT "Transaction is invalid or closed" (firebase-tools#4473),
 * which the SDK passes through (among INVALID_ARGUMENT errors it retries only "transaction has
 * expired"). Nothing of a transaction that failed was committed, so running it again is as safe
 * as the SDK's own retries: this wrapper does, a few times.
 */
export async function runContendedTransaction<T>(db: Firestore, update: (tx: Transaction) => Promise<T>, maxAttempts: number): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await db.runTransaction(update, { maxAttempts });
    } catch (error) {
      if (round >= closedRetries || !isClosedTransaction(error)) throw error;
    }
  }
}

const closedRetries = 3;

export function isClosedTransaction(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 3 && typeof message === "string" && /transaction is invalid or closed/i.test(message);
}
