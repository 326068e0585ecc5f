import { deleteApp, initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithCustomToken } from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, terminate } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";
import { auth as adminAuth } from "../../src/shared/firebase";
import { layout, region } from "./emulators";

/** A signed-in app as a browser tab runs it: its own Firebase app instance (the JS SDK from
 *  npm), signed in through the Auth emulator, with Firestore and Functions on the emulators. */
export async function signedInApp(name: string, uid: string) {
  const app = initializeApp({ projectId: layout.project, apiKey: "fake-api-key" }, name);
  const auth = getAuth(app);
  connectAuthEmulator(auth, `http://${layout.hosts.auth}`, { disableWarnings: true });
  await signInWithCustomToken(auth, await adminAuth().createCustomToken(uid));
  const functions = getFunctions(app, region);
  const [host, port] = layout.hosts.functions.split(":");
  connectFunctionsEmulator(functions, host!, Number(port));
  const firestore = getFirestore(app);
  const [fsHost, fsPort] = layout.hosts.firestore.split(":");
  connectFirestoreEmulator(firestore, fsHost!, Number(fsPort));
  const call = async <T>(callable: string, data: unknown) => (await httpsCallable<unknown, T>(functions, callable)(data)).data;
  const close = async () => {
    await terminate(firestore);
    await deleteApp(app);
  };
  return { app, firestore, functions, call, close };
}

export type SignedInApp = Awaited<ReturnType<typeof signedInApp>>;
