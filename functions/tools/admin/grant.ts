import type { Auth } from "firebase-admin/auth";

export interface AdminChange {
  uid: string;
  email: string;
  admin: boolean;
  /** False when the user already was (or was not) an admin: nothing was written. */
  changed: boolean;
}

/**
 * Gives (or takes back) the custom claim `admin: true` that the panel's callables require,
 * keeping the user's other claims. Taking it back also revokes the user's refresh tokens: an
 * ID token already issued keeps its claims until it expires (up to an hour), and a revoked
 * session cannot mint a new one.
 */
export async function setAdmin(auth: Auth, email: string, admin: boolean): Promise<AdminChange> {
  const user = await auth.getUserByEmail(email).catch((error: { code?: string }) => {
    if (error.code === "auth/user-not-found") throw new Error(`no user has the email ${email}: they sign up (or you create them) first`);
    throw error;
  });
  const claims = { ...(user.customClaims ?? {}) };
  const changed = (claims.admin === true) !== admin;
  if (changed) {
    if (admin) claims.admin = true;
    else delete claims.admin;
    await auth.setCustomUserClaims(user.uid, claims);
    if (!admin) await auth.revokeRefreshTokens(user.uid);
  }
  return { uid: user.uid, email, admin, changed };
}
