import { QueryClient } from "@tanstack/query-core";
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions } from "firebase/functions";
import {
  frescoClient,
  invalidatedBy,
  queryKeys,
  type CallableName,
  type EndpointName,
  type HttpName,
  type RequestOf,
  type ResponseOf,
} from "../../client/src";

// The panel talks to the local emulators; the stack passes where they listen at build time.
const env = import.meta.env as Record<string, string | undefined>;
const project = env.FRESCO_PANEL_PROJECT ?? "demo-fresco";
const authHost = env.FRESCO_PANEL_AUTH_HOST ?? "127.0.0.1:9099";
const functionsHost = env.FRESCO_PANEL_FUNCTIONS_HOST ?? "127.0.0.1:5001";
const region = "us-central1";

const app = initializeApp({ projectId: project, apiKey: "demo-api-key", authDomain: `${project}.firebaseapp.com` });
export const auth = getAuth(app);
connectAuthEmulator(auth, `http://${authHost}`, { disableWarnings: true });
const functions = getFunctions(app, region);
const [host, port] = functionsHost.split(":");
connectFunctionsEmulator(functions, host!, Number(port));

const api = frescoClient(functions, `http://${functionsHost}/${project}/${region}`);

/** Reads are cached by the client's key factory for 30 s; a write invalidates exactly the
 *  keys `invalidatedBy` names, so a read after a write is never the cached old answer. */
const queries = new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: false } } });

const fetchers = {
  call: <N extends CallableName>(name: N, request: RequestOf<N>) => api.call(name, request),
  get: <N extends HttpName>(name: N, request: RequestOf<N>) => api.get(name, request),
};

export function read<N extends EndpointName>(name: N, request: RequestOf<N>, options: { fresh?: boolean } = {}): Promise<ResponseOf<N>> {
  const queryFn = () =>
    (name in httpNames
      ? fetchers.get(name as HttpName, request as never)
      : fetchers.call(name as CallableName, request as never)) as Promise<ResponseOf<N>>;
  return queries.fetchQuery({ queryKey: queryKeys.read(name, request), queryFn, ...(options.fresh ? { staleTime: 0 } : {}) });
}
const httpNames = { health: 1, publicFeed: 1, publicGeneration: 1, signupImages: 1 } satisfies Record<HttpName, 1>;

export async function write<N extends CallableName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
  const result = await api.call(name, request);
  const stale = (invalidatedBy[name] as ((r: RequestOf<N>) => readonly unknown[][]) | undefined)?.(request) ?? [];
  await Promise.all(stale.map((queryKey) => queries.invalidateQueries({ queryKey })));
  return result;
}

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
