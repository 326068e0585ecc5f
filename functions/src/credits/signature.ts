import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The webhook signature, as Stripe signs its events: the header
 * `Fresco-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with
 * CREDITS_WEBHOOK_SECRET. Several `v1=` entries may be given (a provider rolling its secret
 * signs with both); one that matches is enough. Other schemes (`v0=`) are ignored. The
 * timestamp is signed too, so a captured request replays for at most `toleranceSeconds`, and
 * the ledger (one entry per event id) makes even that replay change nothing.
 */
export const signatureHeader = "Fresco-Signature";
export const signatureToleranceSeconds = 300;

/** Bounds on what is parsed of a header, so a huge one costs nothing. */
const maxHeaderLength = 4096;
const maxSignatures = 8;

/** The hex signature of `rawBody` signed at `t` (unix seconds). */
export function signPayload(secret: string, t: number, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest("hex");
}

/** A complete header value, for senders (the welcome text's curl, the tests). */
export function signatureHeaderValue(secret: string, t: number, rawBody: string | Buffer): string {
  return `t=${t},v1=${signPayload(secret, t, rawBody)}`;
}

export type SignatureCheck = { ok: true; t: number } | { ok: false; reason: string };

/** Checks `header` against the raw body: a well-formed header, one `v1` that is the HMAC of
 *  the body at its `t` (compared in constant time), and `t` within the tolerance of `nowSeconds`
 *  either way (a clock far ahead is refused as well as a stale one). */
export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = signatureToleranceSeconds,
): SignatureCheck {
  if (!secret) throw new Error("verifySignature needs a secret");
  if (header === undefined || header.trim() === "") return { ok: false, reason: `missing ${signatureHeader} header` };
  if (header.length > maxHeaderLength) return { ok: false, reason: `${signatureHeader} header too long` };
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, reason: `malformed ${signatureHeader} header` };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (t !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: `malformed ${signatureHeader} header (t)` };
      t = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return { ok: false, reason: `malformed ${signatureHeader} header (v1)` };
      if (signatures.length === maxSignatures) return { ok: false, reason: `too many signatures in ${signatureHeader}` };
      signatures.push(Buffer.from(value, "hex"));
    }
  }
  if (t === undefined) return { ok: false, reason: `no timestamp in ${signatureHeader}` };
  if (signatures.length === 0) return { ok: false, reason: `no v1 signature in ${signatureHeader}` };
  const expected = Buffer.from(signPayload(secret, t, rawBody), "hex");
  // Every candidate is compared, so the time taken says nothing about which one matched.
  let matched = false;
  for (const candidate of signatures) matched = timingSafeEqual(candidate, expected) || matched;
  if (!matched) return { ok: false, reason: "no signature matches the payload" };
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return { ok: false, reason: "timestamp outside the tolerance" };
  return { ok: true, t };
}
