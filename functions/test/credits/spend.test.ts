import { HttpsError } from "firebase-functions/https";
import { ledgerEntryId } from "../../src/credits/model";
import { applyPurchase } from "../../src/credits/purchase";
import { refundCredits, spendCredits } from "../../src/credits/spend";
import { accountOutbox, accountTagVersion, balance, creditsDeps, ledgerOf, unique, userWithCredits } from "./harness";

// spendCredits and refundCredits called directly on the Firestore emulator and Redis (the
// Functions emulator cannot take many concurrent HTTP requests; these functions have no
// endpoint of their own: art generation will call them).

const codeOf = (error: unknown) => (error instanceof HttpsError ? error.code : `not an HttpsError: ${String(error)}`);

describe("spendCredits", () => {
  const deps = creditsDeps();

  it("takes the amount, writes one ledger entry, bumps the account tag and leaves the outbox empty", async () => {
    const uid = unique("spender");
    await userWithCredits(deps, uid, 10);
    const before = await accountTagVersion(uid);
    const spent = await spendCredits(deps, uid, 4, "generation", "gen-1");
    expect(spent).toEqual({ entryId: ledgerEntryId("spend", "gen-1"), balance: 6, duplicate: false });
    expect(await balance(uid)).toBe(6);
    expect(await ledgerOf(uid)).toEqual([expect.objectContaining({ delta: -4, reason: "generation", ref: "gen-1", balanceAfter: 6 })]);
    expect(await accountOutbox(uid)).toBe(0);
    const after = await accountTagVersion(uid);
    expect(after).not.toBeNull();
    if (before !== null) expect(after).toBeGreaterThan(before);
  });

  it("refuses a spend above the balance with failed-precondition and writes nothing", async () => {
    const uid = unique("spender");
    await userWithCredits(deps, uid, 3);
    const version = await accountTagVersion(uid);
    await expect(spendCredits(deps, uid, 4, "generation", "gen-big")).rejects.toMatchObject({ code: "failed-precondition" });
    expect(await balance(uid)).toBe(3);
    expect(await ledgerOf(uid)).toEqual([]);
    expect(await accountOutbox(uid)).toBe(0);
    expect(await accountTagVersion(uid)).toBe(version);
    // A user without a document has nothing to spend (and is not created).
    await expect(spendCredits(deps, unique("nobody"), 1, "generation", "gen")).rejects.toMatchObject({ code: "failed-precondition" });
  });

  it("never goes below 0: 25 concurrent spends of 1 on a balance of 10", async () => {
    const uid = unique("burst");
    await userWithCredits(deps, uid, 10);
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => spendCredits(deps, uid, 1, "generation", `gen-${i}`)));
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(10);
    expect(refused.map((r) => codeOf(r.reason))).toEqual(Array(15).fill("failed-precondition"));
    expect(await balance(uid)).toBe(0);
    const ledger = await ledgerOf(uid);
    expect(ledger).toHaveLength(10);
    // Each spend saw the one before it: the balances after are 9..0, each once.
    expect(ledger.map((e) => e.balanceAfter).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ledger.every((e) => e.delta === -1)).toBe(true);
    expect(await accountOutbox(uid)).toBe(0);
  });

  it("charges a ref once: a retried spend (even concurrent ones) answers duplicate", async () => {
    const uid = unique("retry");
    await userWithCredits(deps, uid, 10);
    expect(await spendCredits(deps, uid, 3, "generation", "gen-r")).toMatchObject({ balance: 7, duplicate: false });
    expect(await spendCredits(deps, uid, 3, "generation", "gen-r")).toMatchObject({ balance: 7, duplicate: true });
    const burst = await Promise.all(Array.from({ length: 3 }, () => spendCredits(deps, uid, 2, "generation", "gen-s")));
    expect(burst.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await balance(uid)).toBe(5);
    expect(await ledgerOf(uid)).toHaveLength(2);
    // The same ref for another amount is a caller's bug, refused.
    await expect(spendCredits(deps, uid, 4, "generation", "gen-r")).rejects.toMatchObject({ code: "invalid-argument" });
    expect(await balance(uid)).toBe(5);
  });

  it("refuses bad arguments with invalid-argument", async () => {
    const uid = unique("args");
    await userWithCredits(deps, uid, 10);
    for (const amount of [0, -1, 1.5, Number.NaN, 1_000_001])
      await expect(spendCredits(deps, uid, amount, "generation", "gen")).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(spendCredits(deps, uid, 1, "", "gen")).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(spendCredits(deps, uid, 1, "generation", "")).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(spendCredits(deps, "a/b", 1, "generation", "gen")).rejects.toMatchObject({ code: "invalid-argument" });
    expect(await balance(uid)).toBe(10);
  });
});

describe("refundCredits", () => {
  const deps = creditsDeps();

  it("gives back what the ref cost, once, even when retried concurrently", async () => {
    const uid = unique("refund");
    await userWithCredits(deps, uid, 10);
    await spendCredits(deps, uid, 4, "generation", "gen-f");
    const version = await accountTagVersion(uid);
    const refunds = await Promise.all(Array.from({ length: 3 }, () => refundCredits(deps, uid, "gen-f", "generation failed")));
    expect(refunds.filter((r) => !r.duplicate)).toEqual([
      { entryId: ledgerEntryId("refund", "gen-f"), balance: 10, duplicate: false, refunded: 4 },
    ]);
    expect(refunds.every((r) => r.refunded === 4)).toBe(true);
    expect(await balance(uid)).toBe(10);
    const ledger = await ledgerOf(uid);
    expect(ledger).toHaveLength(2);
    expect(ledger.find((e) => e.delta > 0)).toMatchObject({ delta: 4, reason: "generation failed", ref: "gen-f", balanceAfter: 10 });
    expect(await accountTagVersion(uid)).toBeGreaterThan(version!);
    expect(await accountOutbox(uid)).toBe(0);
    // The ref stays charged-and-refunded: spending it again is a duplicate, not a new charge.
    expect(await spendCredits(deps, uid, 4, "generation", "gen-f")).toMatchObject({ duplicate: true, balance: 10 });
  });

  it("refunds nothing for a ref that was never spent, and writes nothing", async () => {
    const uid = unique("refund");
    await userWithCredits(deps, uid, 2);
    expect(await refundCredits(deps, uid, "never", "generation failed")).toMatchObject({ refunded: 0, balance: 2, duplicate: false });
    expect(await ledgerOf(uid)).toEqual([]);
    expect(await accountOutbox(uid)).toBe(0);
  });
});

describe("applyPurchase", () => {
  const deps = creditsDeps();

  it("applies one of many concurrent deliveries of one event, for a user who did not exist", async () => {
    const uid = unique("buyer");
    const event = { id: unique("evt"), type: "credits.purchased" as const, uid, credits: 5 };
    const results = await Promise.all(Array.from({ length: 3 }, () => applyPurchase(deps, event)));
    expect(results.filter((r) => !r.duplicate)).toEqual([{ entryId: ledgerEntryId("purchase", event.id), balance: 5, duplicate: false }]);
    expect(await balance(uid)).toBe(5);
    expect(await ledgerOf(uid)).toHaveLength(1);
    expect(await accountOutbox(uid)).toBe(0);
  });
});
