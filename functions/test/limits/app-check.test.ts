/**
 * App Check on the apps' callables, as firebase-functions applies `enforceAppCheck` (the
 * APP_CHECK_ENFORCED param, read when the function is defined): each domain module is loaded
 * here with the param set, and its callable served over real HTTP with a real Auth-emulator ID
 * token, in the emulator's mode (tokens decoded, not verified). Offline nothing can make a valid
 * App Check token, so what is tested is the refusal of a call without one, and that the param
 * alone decides it.
 */
import type { CallableRequest } from "firebase-functions/https";
import { createUser, idTokenFor } from "../helpers/auth";
import { serveHandlers, type HttpHandler } from "../helpers/http-server";

type Module = Record<string, HttpHandler & { run(request: CallableRequest): unknown }>;
function loadWith(enforced: string, path: string): Module {
  process.env.APP_CHECK_ENFORCED = enforced;
  let loaded: Module | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the param is set
    loaded = require(path) as Module;
  });
  return loaded!;
}

// As the Functions emulator runs them: tokens decoded, not verified (an Auth-emulator token is
// unsigned), and a call without an App Check token still refused when it is enforced.
beforeAll(() => {
  process.env.FIREBASE_DEBUG_MODE = "true";
  process.env.FIREBASE_DEBUG_FEATURES = JSON.stringify({ skipTokenVerification: true });
});
afterAll(() => {
  for (const name of ["APP_CHECK_ENFORCED", "FIREBASE_DEBUG_MODE", "FIREBASE_DEBUG_FEATURES"]) delete process.env[name];
});

describe("App Check on the apps' callables", () => {
  it.each([
    ["true", 401, "UNAUTHENTICATED"], // refused before the handler
    ["false", 400, "INVALID_ARGUMENT"], // the handler ran: it refuses the empty input
  ])("APP_CHECK_ENFORCED=%s: a signed-in call without an App Check token answers %s", async (enforced, status, code) => {
    const people = loadWith(enforced, "../../src/people");
    const server = await serveHandlers({ followUser: people.followUser! });
    try {
      const token = await idTokenFor(await createUser(`appcheck-${enforced}-${Date.now().toString(36)}`));
      const response = await fetch(server.url("followUser"), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ data: {} }),
      });
      const body = (await response.json()) as { error?: { status?: string } };
      expect([response.status, body.error?.status]).toEqual([status, code]);
    } finally {
      await server.close();
    }
  });
});
