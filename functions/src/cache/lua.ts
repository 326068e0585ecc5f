import type { Redis } from "@upstash/redis";

/**
 * Every Lua script Fresco sends to Redis is made here, so each one carries the flags Upstash
 * needs and none can be sent without them (a test checks that no other module calls
 * createScript or EVAL):
 *
 * - `allow-key-locking`: without it Upstash runs a script under its global lock, so no other
 *   command of the database runs while it does; with it, only the keys passed in KEYS are locked,
 *   and a command on any other key is refused (upstash.com/docs/redis/features/key-locking). So
 *   a script names every key it touches in KEYS and builds none.
 * - `no-writes` for a script that only reads (sent with EVALSHA_RO / EVAL_RO): it takes shared
 *   read locks on its keys.
 *
 * The shebang must be the script's first line (a flag on a later line is ignored). Redis 7.0
 * refuses `allow-key-locking` as an unknown flag: the local bridge (tools/redis/upstash-bridge.ts)
 * takes it off and enforces what Upstash enforces, so tests see Upstash's behaviour.
 */
export interface LuaScript {
  /** Where it is used, for the test that lists every script. */
  name: string;
  /** The source as sent: shebang first. */
  source: string;
  readOnly: boolean;
}

const registry = new Map<string, LuaScript>();

export function luaScript(name: string, body: string, options: { readOnly?: boolean } = {}): LuaScript {
  const readOnly = options.readOnly ?? false;
  const flags = readOnly ? "no-writes,allow-key-locking" : "allow-key-locking";
  const script = { name, source: `#!lua flags=${flags}\n${body.trim()}\n`, readOnly };
  if (registry.has(name)) throw new Error(`two Lua scripts are named ${name}`);
  registry.set(name, script);
  return script;
}

/** Every script defined so far (a module defines its scripts when it loads). */
export const luaScripts = (): LuaScript[] => [...registry.values()];

/** The script on a client: EVALSHA first (EVALSHA_RO for a read-only one), then EVAL on
 *  NOSCRIPT, as @upstash/redis's Script does. */
export function scriptOn<T = unknown>(redis: Redis, script: LuaScript): { exec(keys: string[], args: string[]): Promise<T> } {
  return script.readOnly ? redis.createScript<T, true>(script.source, { readonly: true }) : redis.createScript<T>(script.source);
}
