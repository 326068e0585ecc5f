import { z } from "zod";
import { docId } from "../shared/ids";
import { maxPurchaseCredits } from "./model";

/** The body of a `creditsWebhook` event. Unknown fields are stripped, not refused: a payment
 *  provider adds fields to its events over time, and the signature already vouches for them. */
export const purchaseEvent = z.object({
  id: docId,
  type: z.literal("credits.purchased"),
  uid: docId,
  credits: z.number().int().min(1).max(maxPurchaseCredits),
});
export type PurchaseEvent = z.infer<typeof purchaseEvent>;
