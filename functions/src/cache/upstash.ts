import { Redis } from "@upstash/redis";

/** An Upstash client as Fresco uses it everywhere (functions, tools, tests, benchmarks).
 *  Auto-pipelining batches the commands of one tick into one HTTP request. Retries are kept
 *  to one quick retry: callers fail open on errors and cannot wait. (No params or logger are
 *  imported here, so command-line tools can load it before they route their console.) */
export function upstashClient(url: string, token: string): Redis {
  return new Redis({ url, token, enableAutoPipelining: true, retry: { retries: 1, backoff: () => 25 } });
}
