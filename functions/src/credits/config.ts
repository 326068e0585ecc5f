import { defineSecret } from "firebase-functions/params";

// The credits domain's params. Read inside handlers only; locally the emulator gets the secret
// from functions/.secret.local, written by tools/stack on start.

/** The HMAC-SHA256 key the payment provider signs `creditsWebhook` events with (the
 *  `Fresco-Signature` header). Bind it to creditsWebhook only. */
export const creditsWebhookSecret = defineSecret("CREDITS_WEBHOOK_SECRET");
