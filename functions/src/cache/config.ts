import { defineSecret, defineString } from "firebase-functions/params";

// Where the cache's Redis is. Read inside handlers only; the emulators get them from
// functions/.env.<project> and functions/.secret.local, written by tools/stack on start.

/** Upstash REST endpoint (locally: the bridge in front of redis-server). */
export const upstashUrl = defineString("UPSTASH_REDIS_REST_URL", {
  description: "Upstash Redis REST URL, e.g. https://eu1-xxx.upstash.io",
});

/** Upstash REST token; a secret in production. Bind it to every function that uses the cache. */
export const upstashToken = defineSecret("UPSTASH_REDIS_REST_TOKEN");
