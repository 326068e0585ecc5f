import type { Request } from "firebase-functions/https";
import type { Response } from "express";
import { Timestamp } from "firebase-admin/firestore";
import { creditsWebhook } from "../../src/credits";
import { creditsWebhookHandler } from "../../src/credits/handlers";
import { ledgerEntryId } from "../../src/credits/model";
import { signatureHeader, signatureHeaderValue, signPayload } from "../../src/credits/signature";
import { functionUrl } from "../helpers/emulators";
import {
  accountTagVersion,
  balance,
  creditsDeps,
  ledgerOf,
  nowSeconds,
  accountOutbox,
  postSigned,
  postWebhook,
  purchaseBody,
  unique,
  userDoc,
  userWithCredits,
  webhookSecret,
} from "./harness";

// creditsWebhook over real HTTP against the Functions emulator (its secret from
// functions/.secret.local, the same one the tests sign with), on the real Firestore and Redis.

describe("creditsWebhook", () => {
  it("binds the Upstash token and the webhook secret", () => {
    const keys = creditsWebhook.__endpoint.secretEnvironmentVariables?.map((s) => s.key).sort();
    expect(keys).toEqual(["CREDITS_WEBHOOK_SECRET", "UPSTASH_REDIS_REST_TOKEN"]);
  });

  it("credits a signed purchase: one ledger entry, the balance, the user created, the account tag bumped, the outbox empty", async () => {
    const uid = unique("buyer");
    const eventId = unique("evt");
    const before = await accountTagVersion(uid);

    const response = await postSigned(purchaseBody(eventId, uid, 150));

    expect(response).toEqual({ status: 200, body: { received: true, duplicate: false } });
    const user = await userDoc(uid);
    expect(user.exists).toBe(true); // an unknown uid: created (the provider's uid is trusted once signed)
    expect(user.get("credits")).toBe(150);
    const ledger = await ledgerOf(uid);
    expect(ledger).toEqual([
      {
        id: ledgerEntryId("purchase", eventId),
        delta: 150,
        reason: "purchase",
        ref: eventId,
        balanceAfter: 150,
        at: expect.any(Timestamp),
      },
    ]);
    // Freshness: the `me` read depends on account:{uid}; the purchase bumped it before answering.
    expect(await accountOutbox(uid)).toBe(0);
    const after = await accountTagVersion(uid);
    expect(after).not.toBeNull();
    if (before !== null) expect(after).toBeGreaterThan(before);
  });

  it("adds to an existing balance, and bumps an existing account tag", async () => {
    const uid = unique("buyer");
    await userWithCredits(creditsDeps(), uid, 7);
    await postSigned(purchaseBody(unique("evt"), uid, 1)); // the tag now exists
    const before = (await accountTagVersion(uid))!;
    expect(await postSigned(purchaseBody(unique("evt"), uid, 2))).toMatchObject({ status: 200 });
    expect(await balance(uid)).toBe(10);
    expect((await ledgerOf(uid)).map((e) => e.balanceAfter).sort((a, b) => a - b)).toEqual([8, 10]);
    expect(await accountTagVersion(uid)).toBeGreaterThan(before);
    expect(await accountOutbox(uid)).toBe(0);
  });

  it("changes nothing for a replayed event id, whether the same request or re-signed later", async () => {
    const uid = unique("buyer");
    const eventId = unique("evt");
    const body = purchaseBody(eventId, uid, 40);
    const t = nowSeconds();
    expect((await postSigned(body, t)).body).toEqual({ received: true, duplicate: false });
    const version = await accountTagVersion(uid);

    expect(await postSigned(body, t)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await postSigned(body, t + 2)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    // The same event id with other fields (a provider bug or a forgery with the key): still the one credit.
    expect((await postSigned(purchaseBody(eventId, uid, 999))).body).toEqual({ received: true, duplicate: true });

    expect(await balance(uid)).toBe(40);
    expect(await ledgerOf(uid)).toHaveLength(1);
    expect(await accountTagVersion(uid)).toBe(version);
    expect(await accountOutbox(uid)).toBe(0);
  });

  // Concurrent deliveries are checked on applyPurchase directly (spend.test.ts): the Functions
  // emulator starts a cold instance per concurrent request, seconds each.

  describe("refuses a bad signature with 400 and writes nothing", () => {
    const secret = () => webhookSecret();
    const cases: Array<[string, (body: string) => Record<string, string>]> = [
      ["a wrong secret", (body) => ({ [signatureHeader]: signatureHeaderValue(`${secret()}x`, nowSeconds(), body) })],
      ["a tampered body", (body) => ({ [signatureHeader]: signatureHeaderValue(secret(), nowSeconds(), body.replace(/\d+}$/, "1}")) })],
      ["a stale t (> 5 min ago)", (body) => ({ [signatureHeader]: signatureHeaderValue(secret(), nowSeconds() - 330, body) })],
      // (330 s, not 301: the request takes a moment, which brings a future t closer to the server's now.)
      ["a future t (> 5 min ahead)", (body) => ({ [signatureHeader]: signatureHeaderValue(secret(), nowSeconds() + 330, body) })],
      ["a missing header", () => ({})],
      ["an empty header", () => ({ [signatureHeader]: "" })],
      ["a header without t", (body) => ({ [signatureHeader]: `v1=${signPayload(secret(), nowSeconds(), body)}` })],
      ["a header without v1", () => ({ [signatureHeader]: `t=${nowSeconds()}` })],
      ["a malformed header", () => ({ [signatureHeader]: "garbage" })],
      ["a non-hex v1", () => ({ [signatureHeader]: `t=${nowSeconds()},v1=${"z".repeat(64)}` })],
      ["two t values", (body) => ({ [signatureHeader]: `t=${nowSeconds()},t=1,v1=${signPayload(secret(), nowSeconds(), body)}` })],
      [
        "the signature of another t",
        (body) => ({ [signatureHeader]: `t=${nowSeconds()},v1=${signPayload(secret(), nowSeconds() - 10, body)}` }),
      ],
    ];
    it.each(cases)("%s", async (_name, headers) => {
      const uid = unique("forged");
      const body = purchaseBody(unique("evt"), uid, 1000);
      const response = await postWebhook(body, headers(body));
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: expect.stringMatching(/^signature: /) });
      expect((await userDoc(uid)).exists).toBe(false);
      expect(await ledgerOf(uid)).toEqual([]);
      expect(await accountOutbox(uid)).toBe(0);
    });

    it("a bad signature for a user who exists leaves their balance and ledger alone", async () => {
      const uid = unique("victim");
      await userWithCredits(creditsDeps(), uid, 3);
      const body = purchaseBody(unique("evt"), uid, 1000);
      expect((await postWebhook(body, { [signatureHeader]: signatureHeaderValue("not-the-secret", nowSeconds(), body) })).status).toBe(400);
      expect(await balance(uid)).toBe(3);
      expect(await ledgerOf(uid)).toEqual([]);
    });
  });

  it("accepts several v1 signatures when one of them matches (a secret being rolled)", async () => {
    const uid = unique("buyer");
    const body = purchaseBody(unique("evt"), uid, 12);
    const t = nowSeconds();
    const header = `t=${t},v1=${signPayload("old-secret", t, body)},v0=ignored,v1=${signPayload(webhookSecret(), t, body)}`;
    expect(await postWebhook(body, { [signatureHeader]: header })).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await balance(uid)).toBe(12);
  });

  it("accepts a t within the tolerance either way", async () => {
    const uid = unique("buyer");
    for (const t of [nowSeconds() - 280, nowSeconds() + 280])
      expect((await postSigned(purchaseBody(unique("evt"), uid, 1), t)).status).toBe(200);
    expect(await balance(uid)).toBe(2);
  });

  describe("refuses a signed but bad body with 400 and writes nothing", () => {
    const event = { id: "evt-1", type: "credits.purchased", credits: 5 };
    const bodies: Array<[string, (uid: string) => string]> = [
      ["a JSON array", () => "[]"],
      ["another event type", (uid) => JSON.stringify({ ...event, uid, type: "credits.refunded" })],
      ["0 credits", (uid) => JSON.stringify({ ...event, uid, credits: 0 })],
      ["negative credits", (uid) => JSON.stringify({ ...event, uid, credits: -5 })],
      ["fractional credits", (uid) => JSON.stringify({ ...event, uid, credits: 1.5 })],
      ["credits as a string", (uid) => JSON.stringify({ ...event, uid, credits: "5" })],
      ["over 1,000,000 credits", (uid) => JSON.stringify({ ...event, uid, credits: 1_000_001 })],
      ["no uid", () => JSON.stringify(event)],
      ["a uid with a slash", (uid) => JSON.stringify({ ...event, uid: `${uid}/creditLedger/x` })],
      ["an event id of __name__ form", (uid) => JSON.stringify({ ...event, uid, id: "__x__" })],
      ["an empty body", () => ""],
    ];
    it.each(bodies)("%s", async (_name, make) => {
      const uid = unique("bad-body");
      const response = await postSigned(make(uid));
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: expect.any(String) });
      expect((await userDoc(uid)).exists).toBe(false);
      expect(await ledgerOf(uid)).toEqual([]);
      expect(await accountOutbox(uid)).toBe(0);
    });

    // Sent as application/json, a body that is not JSON never reaches the handler: the
    // platform's body parser answers 400 itself (an HTML page), before any signature check.
    it("not JSON, sent as application/json: 400 from the platform, nothing written", async () => {
      const uid = unique("bad-body");
      const response = await postSigned(`{"id":"x","uid":"${uid}",`);
      expect(response.status).toBe(400);
      expect((await userDoc(uid)).exists).toBe(false);
      expect(await accountOutbox(uid)).toBe(0);
    });

    it("not JSON sent as text/plain: the handler's 400", async () => {
      const body = "credits please";
      const t = nowSeconds();
      const response = await postWebhook(body, {
        "content-type": "text/plain",
        [signatureHeader]: signatureHeaderValue(webhookSecret(), t, body),
      });
      expect(response).toEqual({ status: 400, body: { error: "body: not JSON" } });
    });
  });

  it("answers other methods with 405", async () => {
    const response = await fetch(functionUrl("creditsWebhook"), { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("logs an internal error and answers a bare 500 (never the error itself)", async () => {
    const res = fakeResponse();
    const body = purchaseBody("evt-x", "u-x", 1);
    const t = nowSeconds();
    const handler = creditsWebhookHandler(() => {
      throw new Error("secret internals");
    });
    await handler(fakeRequest(body, signatureHeaderValue("s", t, body)), res.response);
    expect(res.sent).toEqual({ status: 500, body: { error: "internal error" } });

    const noSecret = fakeResponse();
    await creditsWebhookHandler(() => ({ ...creditsDeps(), secret: "" }))(
      fakeRequest(body, signatureHeaderValue("", t, body)),
      noSecret.response,
    );
    expect(noSecret.sent).toEqual({ status: 500, body: { error: "internal error" } });
  });
});

function fakeRequest(body: string, signature: string): Request {
  const headers: Record<string, string> = { "fresco-signature": signature };
  return { method: "POST", rawBody: Buffer.from(body), get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
}

function fakeResponse() {
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    status(code: number) {
      sent.status = code;
      return response;
    },
    set() {
      return response;
    },
    json(body: unknown) {
      sent.body = body;
      return response;
    },
  } as unknown as Response;
  return { sent, response };
}
