import { Redis } from "@upstash/redis";
import { upstashToken, upstashUrl } from "../config";

let client: Redis | undefined;
let clientKey = "";

/** The shared Upstash client, built from params on first use (params are only readable at
 *  run time). Auto-pipelining batches the commands of one tick into one HTTP request.
 *  Retries are kept to one quick retry: callers fail open on errors and cannot wait. */
export function redis(): Redis {
  const url = upstashUrl.value();
  const token = upstashToken.value();
  if (!client || clientKey !== `${url}\n${token}`) {
    client = new Redis({
      url,
      token,
      enableAutoPipelining: true,
      retry: { retries: 1, backoff: () => 25 },
    });
    clientKey = `${url}\n${token}`;
  }
  return client;
}
