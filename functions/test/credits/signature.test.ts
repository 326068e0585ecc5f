import { signatureHeaderValue, signPayload, verifySignature } from "../../src/credits/signature";

// The signature check as a pure function (exact boundaries: the HTTP suite cannot hit a
// second exactly). No emulator needed.

describe("verifySignature", () => {
  const secret = "whsec_test";
  const body = Buffer.from('{"id":"evt","type":"credits.purchased","uid":"u","credits":5}');
  const now = 1_700_000_000;
  const check = (header: string | undefined, at = now, raw = body) => verifySignature(header, raw, secret, at);

  it("accepts a good signature, at the edges of the 5-minute tolerance either way", () => {
    expect(check(signatureHeaderValue(secret, now, body))).toEqual({ ok: true, t: now });
    expect(check(signatureHeaderValue(secret, now - 300, body)).ok).toBe(true);
    expect(check(signatureHeaderValue(secret, now + 300, body)).ok).toBe(true);
    expect(check(signatureHeaderValue(secret, now - 301, body))).toEqual({ ok: false, reason: "timestamp outside the tolerance" });
    expect(check(signatureHeaderValue(secret, now + 301, body))).toEqual({ ok: false, reason: "timestamp outside the tolerance" });
  });

  it("signs the exact bytes: one byte changed, or the body re-encoded, fails", () => {
    const header = signatureHeaderValue(secret, now, body);
    expect(check(header, now, Buffer.from(body.toString().replace("5}", "6}"))).ok).toBe(false);
    expect(check(header, now, Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1))).ok).toBe(false);
  });

  it("matches any one of several v1 entries, ignores other schemes, tolerates spaces", () => {
    const good = signPayload(secret, now, body);
    const bad = signPayload("other", now, body);
    expect(check(`t=${now},v1=${bad},v1=${good}`).ok).toBe(true);
    expect(check(`t=${now}, v0=abc, v1=${good}`).ok).toBe(true);
    expect(check(`v1=${good},t=${now}`).ok).toBe(true);
    expect(check(`t=${now},v1=${good.toUpperCase()}`).ok).toBe(true);
    expect(check(`t=${now},v1=${bad},v1=${bad}`)).toEqual({ ok: false, reason: "no signature matches the payload" });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["no t", `v1=${"a".repeat(64)}`],
    ["no v1", `t=${now}`],
    ["t not a number", `t=soon,v1=${"a".repeat(64)}`],
    ["two t", `t=${now},t=${now},v1=${"a".repeat(64)}`],
    ["short v1", `t=${now},v1=abc`],
    ["no =", "garbage"],
    [
      "too many v1",
      `t=${now},${Array(9)
        .fill(`v1=${"a".repeat(64)}`)
        .join(",")}`,
    ],
    ["too long", `t=${now},v0=${"a".repeat(5000)}`],
  ])("refuses a header that is %s", (_name, header) => {
    expect(check(header)).toEqual({ ok: false, reason: expect.any(String) });
  });

  it("refuses to check without a secret", () => {
    expect(() => verifySignature("t=1,v1=00", body, "", now)).toThrow();
  });
});
