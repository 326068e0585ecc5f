import { db } from "../shared/firebase";
import { Cache } from "./cache";
import { redis } from "./redis";

let shared: Cache | undefined;

/** The instance's cache, built on first use (params are only readable at run time). One per
 *  instance, so concurrent requests share its single-flight map and its outage state. */
export function cache(): Cache {
  shared ??= new Cache({ redis: redis(), db: db() });
  return shared;
}
