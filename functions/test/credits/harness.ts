import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { redisKeys } from "../../src/cache/keys";
import { tags } from "../../src/cache/map";
import { cacheInvalidations } from "../../src/cache/outbox";
import { ledgerPath } from "../../src/credits/model";
import { signatureHeader, signatureHeaderValue } from "../../src/credits/signature";
import { userPath } from "../../src/people/model";
import { ensureUser, type PeopleDeps } from "../../src/people/users";
import { functionUrl } from "../helpers/emulators";
import { db } from "../helpers/firestore";
import { testCache, testRedis } from "../helpers/redis";

/** The credits functions' dependencies on the test run's Firestore emulator and Redis. */
export const creditsDeps = (): PeopleDeps => ({ db: db(), cache: testCache() });

/** CREDITS_WEBHOOK_SECRET as the Functions emulator has it: tools/stack passes it to jest, and
 *  writes it to functions/.secret.local (read when jest runs some other way). */
export function webhookSecret(): string {
  const fromEnv = process.env.CREDITS_WEBHOOK_SECRET;
  if (fromEnv) return fromEnv;
  const local = parseEnv(readFileSync(join(__dirname, "..", "..", ".secret.local"), "utf8")).CREDITS_WEBHOOK_SECRET;
  if (!local) throw new Error("CREDITS_WEBHOOK_SECRET is not set: run the tests with `npm test`");
  return local;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A unique id per call, so tests never share users or events. */
let counter = 0;
export const unique = (what: string) => `${what}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export const purchaseBody = (eventId: string, uid: string, credits: number) =>
  JSON.stringify({ id: eventId, type: "credits.purchased", uid, credits });

/** POSTs `body` to the deployed creditsWebhook (the Functions emulator) with these headers. */
export async function postWebhook(body: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(functionUrl("creditsWebhook"), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed };
}

/** POSTs `body` signed with the stack's secret at `t` (now by default). */
export const postSigned = (body: string, t = nowSeconds(), secret = webhookSecret()) =>
  postWebhook(body, { [signatureHeader]: signatureHeaderValue(secret, t, body) });

export async function ledgerOf(uid: string) {
  const snap = await db().collection(ledgerPath(uid)).get();
  return snap.docs.map((d) => ({ id: d.id, ...(d.data() as { delta: number; reason: string; ref: string; balanceAfter: number }) }));
}

export async function userDoc(uid: string) {
  return db().doc(userPath(uid)).get();
}

export async function balance(uid: string): Promise<number | undefined> {
  return (await userDoc(uid)).get("credits") as number | undefined;
}

/** A user with `credits` (set directly: the seed of a test, not a purchase). */
export async function userWithCredits(deps: PeopleDeps, uid: string, credits: number): Promise<void> {
  await ensureUser(deps, uid);
  await db().doc(userPath(uid)).update({ credits });
}

/** Outbox entries still holding the user's `account:{uid}` tag: 0 once a write's invalidation
 *  was confirmed (or when nothing was written). Per user, so no other suite's entries count. */
export const accountOutbox = async (uid: string) =>
  (await db().collection(cacheInvalidations).where("tags", "array-contains", tags.account(uid)).get()).size;

/** The version of the user's `account:{uid}` tag in Redis (null while never bumped). */
export async function accountTagVersion(uid: string): Promise<number | null> {
  const raw = await testRedis().get(redisKeys.tagVersion(tags.account(uid)));
  return raw === null ? null : Number(raw);
}
