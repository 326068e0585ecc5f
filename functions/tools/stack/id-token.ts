import { auth } from "../../src/shared/firebase";

/** A real ID token of `uid` from the Auth emulator at `authHost`, as a signed-in app holds:
 *  a custom token exchanged at the emulator's signInWithCustomToken. The demo seed and the
 *  tests sign in this one way. */
export async function emulatorIdToken(authHost: string, uid: string): Promise<string> {
  const customToken = await auth().createCustomToken(uid);
  const url = `http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=fake-api-key`;
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: customToken, returnSecureToken: true }),
  });
  const body = (await response.json()) as { idToken?: string };
  if (!body.idToken) throw new Error(`sign-in failed for ${uid}: ${JSON.stringify(body)}`);
  return body.idToken;
}
