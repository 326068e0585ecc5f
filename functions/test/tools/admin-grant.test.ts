/** `npm run admin:grant` (tools/admin/grant.ts) against the Auth emulator. */
import { randomUUID } from "node:crypto";
import { auth } from "../../src/shared/firebase";
import { setAdmin } from "../../tools/admin/grant";

async function newUser(claims?: Record<string, unknown>): Promise<{ uid: string; email: string }> {
  const uid = `grant-${randomUUID()}`;
  const email = `${uid}@fresco.test`;
  await auth().createUser({ uid, email });
  if (claims) await auth().setCustomUserClaims(uid, claims);
  return { uid, email };
}
const claimsOf = async (uid: string) => (await auth().getUser(uid)).customClaims ?? {};

describe("npm run admin:grant", () => {
  it("gives the admin claim and keeps the user's other claims", async () => {
    const user = await newUser({ plan: "pro" });
    expect(await setAdmin(auth(), user.email, true)).toEqual({ uid: user.uid, email: user.email, admin: true, changed: true });
    expect(await claimsOf(user.uid)).toEqual({ plan: "pro", admin: true });
    expect((await setAdmin(auth(), user.email, true)).changed).toBe(false);
  });

  it("takes it back, keeps the rest, and revokes the user's sessions", async () => {
    const user = await newUser({ admin: true, plan: "pro" });
    const secondBefore = Math.floor(Date.now() / 1000) * 1000; // tokensValidAfterTime has second precision
    expect((await auth().getUser(user.uid)).tokensValidAfterTime).toBeUndefined(); // never revoked
    expect((await setAdmin(auth(), user.email, false)).changed).toBe(true);
    expect(await claimsOf(user.uid)).toEqual({ plan: "pro" });
    const validAfter = (await auth().getUser(user.uid)).tokensValidAfterTime;
    expect(new Date(validAfter!).getTime()).toBeGreaterThanOrEqual(secondBefore);
  });

  it("names an unknown email instead of creating anyone", async () => {
    const email = `nobody-${randomUUID()}@fresco.test`;
    await expect(setAdmin(auth(), email, true)).rejects.toThrow(`no user has the email ${email}`);
    await expect(auth().getUserByEmail(email)).rejects.toMatchObject({ code: "auth/user-not-found" });
  });
});
