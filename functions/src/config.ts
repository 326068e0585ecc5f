import { defineSecret, defineString } from "firebase-functions/params";

// Every deploy-time setting of Fresco, in one place. Values are read inside handlers
// (never `.value()` at module scope); the emulators get them from functions/.env.local
// and functions/.secret.local, written by tools/stack on every start.

/** Upstash REST endpoint (locally: the bridge in front of redis-server). */
export const upstashUrl = defineString("UPSTASH_REDIS_REST_URL", {
  description: "Upstash Redis REST URL, e.g. https://eu1-xxx.upstash.io",
});

/** Upstash REST token; a secret in production. */
export const upstashToken = defineSecret("UPSTASH_REDIS_REST_TOKEN");
