import { onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import { cache } from "../cache/instance";
import { db } from "../shared/firebase";
import { creditsWebhookSecret } from "./config";
import { creditsWebhookHandler } from "./handlers";
import { limitedRead } from "../limits/wrap";

// Wiring only: the logic is in handlers.ts, purchase.ts and spend.ts.

/** The payment provider's webhook (server to server: no CORS). */
export const creditsWebhook = onRequest(
  { secrets: [upstashToken, creditsWebhookSecret] },
  limitedRead(
    "creditsWebhook",
    creditsWebhookHandler(() => ({ db: db(), cache: cache(), secret: creditsWebhookSecret.value() })),
  ),
);
