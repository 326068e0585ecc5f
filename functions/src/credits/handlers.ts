import type { Response } from "express";
import type { Request } from "firebase-functions/https";
import type { PeopleDeps } from "../people/users";
import { describeIssues } from "../shared/zod";
import * as logs from "./logs";
import { applyPurchase } from "./purchase";
import { purchaseEvent } from "./schemas";
import { signatureHeader, verifySignature } from "./signature";

// The payment provider's webhook. Wired in index.ts; the logic is in signature.ts and purchase.ts.

export interface WebhookDeps extends PeopleDeps {
  /** CREDITS_WEBHOOK_SECRET. */
  secret: string;
  /** Unix seconds (tests move it). */
  nowSeconds?: () => number;
}

/** What creditsWebhook answers on success (200). */
export interface WebhookReceipt {
  received: true;
  /** True when this event id was applied before: nothing changed. */
  duplicate: boolean;
}

const refuse = (res: Response, status: number, error: string) => res.status(status).set("Cache-Control", "no-store").json({ error });

/**
 * POST creditsWebhook: a `credits.purchased` event signed with `Fresco-Signature`. The signature
 * is checked over the raw bytes received, before anything is parsed; then the JSON, then the
 * event (zod). Every refusal is 400 `{ error }` and writes nothing; a replayed event is 200
 * `{ received: true, duplicate: true }` and changes nothing. An internal error is logged and
 * answered with a bare 500 (the provider retries, and a retry is safe).
 */
export function creditsWebhookHandler(deps: () => WebhookDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    if (req.method !== "POST") {
      res.status(405).set("Allow", "POST").set("Cache-Control", "no-store").json({ error: "method not allowed" });
      return;
    }
    try {
      const d = deps();
      if (!d.secret) {
        logs.webhookSecretMissing();
        res.status(500).set("Cache-Control", "no-store").json({ error: "internal error" });
        return;
      }
      const raw = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
      const now = d.nowSeconds ? d.nowSeconds() : Math.floor(Date.now() / 1000);
      const check = verifySignature(req.get(signatureHeader), raw, d.secret, now);
      if (!check.ok) {
        logs.webhookRejected(check.reason);
        refuse(res, 400, `signature: ${check.reason}`);
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        logs.webhookBadPayload("not JSON");
        refuse(res, 400, "body: not JSON");
        return;
      }
      const parsed = purchaseEvent.safeParse(body);
      if (!parsed.success) {
        const reason = describeIssues(parsed.error, "body");
        logs.webhookBadPayload(reason);
        refuse(res, 400, reason);
        return;
      }
      const { duplicate } = await applyPurchase(d, parsed.data);
      const receipt: WebhookReceipt = { received: true, duplicate };
      res.status(200).set("Cache-Control", "no-store").json(receipt);
    } catch (error) {
      // Internals stay in the logs; the provider gets a generic 500 and retries.
      logs.webhookFailed(error);
      res.status(500).set("Cache-Control", "no-store").json({ error: "internal error" });
    }
  };
}
