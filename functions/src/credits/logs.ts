import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of credits, one function each.

export function purchaseApplied(eventId: string, uid: string, credits: number, balance: number): void {
  logger.info("credits purchased", { eventId, uid, credits, balance });
}

export function purchaseReplayed(eventId: string, uid: string): void {
  logger.info("credits purchase event replayed; nothing changed", { eventId, uid });
}

/** A request that failed the signature check (a forgery, a stale replay, a wrong secret). */
export function webhookRejected(reason: string): void {
  logger.warn("credits webhook rejected", { reason });
}

export function webhookBadPayload(reason: string): void {
  logger.warn("credits webhook payload refused", { reason: reason.slice(0, 300) });
}

export function webhookFailed(error: unknown): void {
  logger.error("credits webhook failed", { ...errorFields(error) });
}

/** CREDITS_WEBHOOK_SECRET is empty: every event is refused until it is set. */
export function webhookSecretMissing(): void {
  logger.error("credits webhook has no secret (set CREDITS_WEBHOOK_SECRET); refusing every event");
}

export function creditsSpent(uid: string, amount: number, reason: string, ref: string, balance: number): void {
  logger.info("credits spent", { uid, amount, reason, ref, balance });
}

export function spendRefused(uid: string, amount: number, ref: string, balance: number): void {
  logger.info("credits spend refused: balance too low", { uid, amount, ref, balance });
}

export function creditsRefunded(uid: string, amount: number, reason: string, ref: string, balance: number): void {
  logger.info("credits refunded", { uid, amount, reason, ref, balance });
}
