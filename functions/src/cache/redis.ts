import type { Redis } from "@upstash/redis";
import { upstashToken, upstashUrl } from "./config";
import { upstashClient } from "./upstash";

let client: Redis | undefined;
let clientKey = "";

/** The functions' shared client, built from params on first use (params are only readable
 *  at run time), and rebuilt if they change. */
export function redis(): Redis {
  const url = upstashUrl.value();
  const token = upstashToken.value();
  if (!client || clientKey !== `${url}\n${token}`) {
    client = upstashClient(url, token);
    clientKey = `${url}\n${token}`;
  }
  return client;
}
