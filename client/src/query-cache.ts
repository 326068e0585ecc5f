import { isCancelledError, QueryClient } from "@tanstack/query-core";
import {
  callables,
  httpEndpoints,
  type CallableName,
  type EndpointName,
  type HttpName,
  type RequestOf,
  type ResponseOf,
  type WriteName,
} from "./endpoints";
import { invalidatedBy, queryKeys } from "./query-keys";

/** What the cache needs of a client: `frescoClient(...)` has it. */
export interface FrescoCaller {
  call<N extends CallableName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>>;
  get<N extends HttpName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>>;
}

/**
 * Reads and writes through one TanStack Query cache, keyed by `queryKeys` and invalidated by
 * `invalidatedBy`. Reads stay fresh for `staleTimeMs`; after a write returns, every read it
 * changes fetches again. A read still in flight when the write returns may have been answered
 * before the write: its answer is dropped (cancelled), or it would land after the
 * invalidation, clear it and be served as fresh: a slow reader putting an old value back.
 */
export function frescoQueries(api: FrescoCaller, options: { staleTimeMs?: number } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: options.staleTimeMs ?? 30_000, retry: false } } });

  async function read<N extends EndpointName>(name: N, request: RequestOf<N>, opts: { fresh?: boolean } = {}): Promise<ResponseOf<N>> {
    const queryFn = () =>
      (Object.hasOwn(httpEndpoints, name)
        ? api.get(name as HttpName, request as never)
        : api.call(name as CallableName, request as never)) as Promise<ResponseOf<N>>;
    // A live read (a request's status) changes without any write of this client: always asked.
    const live = opts.fresh || (Object.hasOwn(callables, name) && "live" in callables[name as CallableName]);
    const fetch = () => client.fetchQuery({ queryKey: queryKeys.read(name, request), queryFn, ...(live ? { staleTime: 0 } : {}) });
    try {
      return await fetch();
    } catch (error) {
      if (isCancelledError(error)) return fetch(); // a write made the flight stale: ask again
      throw error;
    }
  }

  async function write<N extends WriteName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
    const result = await api.call(name, request);
    const invalidate = invalidatedBy[name] as (r: RequestOf<N>, s: ResponseOf<N>) => ReadonlyArray<readonly unknown[]>;
    await Promise.all(
      invalidate(request, result).map(async (queryKey) => {
        await client.cancelQueries({ queryKey });
        await client.invalidateQueries({ queryKey });
      }),
    );
    return result;
  }

  return { read, write, client };
}
