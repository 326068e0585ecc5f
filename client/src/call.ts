import { httpsCallable, type Functions } from "firebase/functions";
import { callables, type CallableName, type ChunkOf, type HttpName, type RequestOf, type ResponseOf, type StreamName } from "./endpoints";

/** A typed caller of every endpoint. `httpBase` is where HTTP functions answer
 *  (`http://127.0.0.1:5001/<project>/us-central1` on the emulator). */
/** Errors after which the server may have done the work: the answer, not the call, was lost. */
const lostAnswer = new Set(["functions/deadline-exceeded", "functions/unavailable"]);

/** An id for a generation: random, from the Web Crypto API where the page has it. */
const requestId = () =>
  typeof crypto !== "undefined" && typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

export function frescoClient(functions: Functions, httpBase: string) {
  return {
    async call<N extends CallableName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
      const entry = callables[name] as { timeoutSeconds?: number };
      const options = entry.timeoutSeconds ? { timeout: entry.timeoutSeconds * 1000 } : {};
      const callable = httpsCallable<RequestOf<N>, ResponseOf<N>>(functions, name, options);
      if (name !== "generateArt") return (await callable(request)).data;
      // generateArt spends credits: the call carries an id (the app's, or one made here), and a
      // call whose answer was lost is sent again with the same id, which the server answers
      // with the first request instead of spending again.
      const once = { clientRequestId: requestId(), ...(request as object) } as RequestOf<N>;
      for (let attempt = 1; ; attempt++) {
        try {
          return (await callable(once)).data;
        } catch (error) {
          const code = (error as { code?: string }).code ?? "";
          if (attempt >= 3 || !lostAnswer.has(code)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    },
    /** A streaming callable: resolves once the server answered (the watch is live), to its
     *  chunks as they come, until `signal` aborts (the function then ends: the server sees the
     *  disconnect) or the server ends the stream. A refusal or a broken stream throws from the
     *  iteration. */
    async watch<N extends StreamName>(name: N, request: RequestOf<N>, signal?: AbortSignal): Promise<AsyncIterable<ChunkOf<N>>> {
      const entry = callables[name] as { timeoutSeconds?: number };
      const callable = httpsCallable<RequestOf<N>, ResponseOf<N>, ChunkOf<N>>(functions, name, {
        timeout: (entry.timeoutSeconds ?? 70) * 1000,
      });
      const { stream, data } = await callable.stream(request, signal ? { signal } : {});
      // The final answer rejects with the same error the iteration throws (or on abort):
      // handled here, so it never surfaces as an unhandled rejection in the app.
      data.catch(() => undefined);
      return stream;
    },
    async get<N extends HttpName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
      const query = new URLSearchParams(
        Object.entries(request ?? {})
          .filter(([, v]) => v !== undefined)
          .map(([k, v]): [string, string] => [k, String(v)]),
      );
      const response = await fetch(`${httpBase}/${name}${query.size ? `?${query}` : ""}`);
      const body = (await response.json().catch(() => ({}))) as ResponseOf<N> & { error?: string };
      if (!response.ok) throw new HttpEndpointError(name, response.status, body.error ?? response.statusText);
      return body;
    },
  };
}
export type FrescoClient = ReturnType<typeof frescoClient>;

export class HttpEndpointError extends Error {
  override name = "HttpEndpointError";
  constructor(
    readonly endpoint: string,
    readonly status: number,
    message: string,
  ) {
    super(`${endpoint}: ${status} ${message}`);
  }
}
