import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions } from "firebase/functions";
import { frescoClient, frescoQueries } from "../../client/src";

// Built by the stack (`npm start`, `npm test`), the panel talks to the local emulators, whose
// hosts the stack passes at build time. Built for a deploy (firebase.json's predeploy), it
// takes the project's web config from Firebase Hosting's reserved /__/firebase/init.json.
const env = import.meta.env as Record<string, string | undefined>;
const emulated = env.FRESCO_PANEL_EMULATORS === "1";
const region = env.FRESCO_PANEL_REGION!; // the functions' FRESCO_REGION param (vite.config.ts)

const config: { projectId: string; apiKey: string; authDomain: string } = emulated
  ? { projectId: env.FRESCO_PANEL_PROJECT!, apiKey: "demo-api-key", authDomain: "127.0.0.1" }
  : await (await fetch("/__/firebase/init.json")).json();
const app = initializeApp(config);
export const auth = getAuth(app);
const functions = getFunctions(app, region);
let httpBase = `https://${region}-${config.projectId}.cloudfunctions.net`;
if (emulated) {
  connectAuthEmulator(auth, `http://${env.FRESCO_PANEL_AUTH_HOST!}`, { disableWarnings: true });
  const [host, port] = env.FRESCO_PANEL_FUNCTIONS_HOST!.split(":");
  connectFunctionsEmulator(functions, host!, Number(port));
  httpBase = `http://${env.FRESCO_PANEL_FUNCTIONS_HOST!}/${config.projectId}/${region}`;
}

/** Reads cached for 30 s by the client's key factory; a write invalidates exactly what
 *  `invalidatedBy` names (see frescoQueries). */
export const { read, write } = frescoQueries(frescoClient(functions, httpBase));

/** An error in words a person understands (never a stack trace). */
export function explain(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const detail = message?.replace(/^Invalid input: /, "") ?? "";
  switch (code) {
    case "functions/invalid-argument":
      return `The server refused the values: ${detail}`;
    case "functions/permission-denied":
      return "This account is not an admin, so the server refused.";
    case "functions/unauthenticated":
      return "You are signed out. Sign in again.";
    case "functions/not-found":
      return `Not found: ${detail}`;
    case "functions/failed-precondition":
    case "functions/already-exists":
    case "functions/resource-exhausted":
      return detail;
    case "functions/aborted":
      return "The server was busy with the same data. Try again.";
    case "functions/unavailable":
    case "functions/deadline-exceeded":
    case "functions/internal":
      return "The server did not answer. Check that `npm start` is running, then try again.";
    case "auth/invalid-credential":
    case "auth/wrong-password":
    case "auth/user-not-found":
    case "auth/invalid-email":
      return "That email and password do not match an account.";
    case "auth/network-request-failed":
      return "The sign-in service did not answer. Check that `npm start` is running.";
    default:
      return message ? `Something went wrong: ${message}` : "Something went wrong.";
  }
}
