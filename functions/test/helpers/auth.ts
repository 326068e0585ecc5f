import { auth } from "../../src/shared/firebase";
import { emulatorIdToken } from "../../tools/stack/id-token";
import { authHost, functionUrl } from "./emulators";

/** Creates (or resets) an Auth-emulator user, with `admin: true` when asked. */
export async function createUser(uid: string, claims: Record<string, unknown> = {}): Promise<string> {
  await auth()
    .deleteUser(uid)
    .catch(() => undefined);
  await auth().createUser({ uid, email: `${uid}@fresco.test` });
  if (Object.keys(claims).length > 0) await auth().setCustomUserClaims(uid, claims);
  return uid;
}

export const createAdmin = (uid = "test-admin") => createUser(uid, { admin: true });

/** A real ID token from the Auth emulator, as a signed-in app would hold. */
export const idTokenFor = (uid: string): Promise<string> => emulatorIdToken(authHost, uid);

export interface CallableResult<T> {
  status: number;
  result?: T;
  error?: { status: string; message: string; details?: unknown };
}

/** Calls a deployed callable over HTTP the way the client SDKs do (`{ data }` in, `{ result }` or `{ error }` out). */
export async function callCallable<T = unknown>(name: string, data: unknown, idToken?: string): Promise<CallableResult<T>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (idToken) headers.authorization = `Bearer ${idToken}`;
  const response = await fetch(functionUrl(name), { method: "POST", headers, body: JSON.stringify({ data }) });
  const body = (await response.json()) as { result?: T; error?: CallableResult<T>["error"] };
  return { status: response.status, ...body };
}
