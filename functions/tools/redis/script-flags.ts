/**
 * Upstash's Lua script flags on a local Redis 7.0, for the bridge (upstash-bridge.ts).
 *
 * Upstash (upstash.com/docs/redis/features/key-locking): a script whose shebang says
 * `#!lua flags=allow-key-locking` locks only the keys passed in KEYS, and a command inside it
 * on any other key is refused with
 * `ERR Dynamic keys are not allowed in Lua scripts when 'allow-key-locking' flag is set. Key was: <key>`;
 * database-wide commands (FLUSHDB...) are refused too. Any other script runs under Upstash's
 * global lock. Redis 7.0 refuses the flag itself ("Unexpected flag in script shebang").
 *
 * So the bridge sends Redis the script with that flag taken off (the others, like `no-writes`,
 * are Redis 7's own and stay) and a prelude that refuses what Upstash refuses: it asks Redis
 * which arguments of each command are keys (COMMAND GETKEYS) and checks them against KEYS.
 * The rewritten script has another SHA-1: the bridge answers SCRIPT LOAD with the client's
 * digest and maps the client's EVALSHA onto the rewritten one, so a client pays the NOSCRIPT
 * round trip once, as it would on Upstash after a restart, not on every call.
 */
import { createHash } from "node:crypto";

const keyLocking = "allow-key-locking";
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/** What the bridge saw of one script (by the client's digest), for tests and the cost bench. */
export interface ScriptSeen {
  sha: string;
  flags: string[];
  /** Upstash would lock only its KEYS (allow-key-locking); otherwise the whole database. */
  keyLocked: boolean;
  /** Times it was run, and how many of those inside MULTI/EXEC (always the global lock on Upstash). */
  runs: number;
  inTransaction: number;
  /** The first 80 characters after the shebang, to tell scripts apart in a report. */
  preview: string;
}

// Upstash's message for an undeclared key (documented); for database-wide commands it documents
// no text, so this one is the bridge's own.
const prelude = `local __declared = {}
for _, key in ipairs(KEYS) do __declared[key] = true end
local __redis = redis
local __wide = { FLUSHDB = true, FLUSHALL = true, KEYS = true, SCAN = true, RANDOMKEY = true, SWAPDB = true }
local function __refusal(...)
  local name = string.upper(tostring((...)))
  if __wide[name] then return "ERR " .. name .. " needs the whole database and is not allowed in Lua scripts when 'allow-key-locking' flag is set" end
  local keys = __redis.pcall('COMMAND', 'GETKEYS', ...)
  if type(keys) ~= 'table' or keys.err then return nil end
  for _, key in ipairs(keys) do
    if not __declared[key] then return "ERR Dynamic keys are not allowed in Lua scripts when 'allow-key-locking' flag is set. Key was: " .. key end
  end
  return nil
end
local redis = setmetatable({
  call = function(...) local refused = __refusal(...) if refused then error({ err = refused }) end return __redis.call(...) end,
  pcall = function(...) local refused = __refusal(...) if refused then return { err = refused } end return __redis.pcall(...) end,
}, { __index = __redis })
`;

/** The script's shebang flags, or undefined when it has no shebang. */
export function shebangFlags(source: string): string[] | undefined {
  const first = source.split("\n", 1)[0]!;
  if (!first.startsWith("#!lua")) return undefined;
  const flags = /\bflags=(\S*)/.exec(first)?.[1];
  return flags ? flags.split(",").filter(Boolean) : [];
}

/** What Redis 7.0 runs for a script: the same one, or, with allow-key-locking, the script without
 *  that flag and with the key check in front. */
export function forRedis(source: string): string {
  const flags = shebangFlags(source);
  if (!flags?.includes(keyLocking)) return source;
  const rest = flags.filter((f) => f !== keyLocking);
  const newline = source.indexOf("\n");
  const body = newline === -1 ? "" : source.slice(newline + 1);
  return `#!lua${rest.length ? ` flags=${rest.join(",")}` : ""}\n${prelude}${body}`;
}

export class ScriptFlags {
  /** Client digest -> digest of what Redis runs (only where they differ). */
  private readonly toRedis = new Map<string, string>();
  private readonly seen = new Map<string, ScriptSeen>();

  /** The command to send Redis for `args`, and the reply to give instead of Redis's (SCRIPT LOAD
   *  answers the client's digest). Other commands pass unchanged. */
  prepare(args: string[], inTransaction: boolean): { args: string[]; reply?: string } {
    const name = args[0]!.toUpperCase();
    if ((name === "EVAL" || name === "EVAL_RO") && args[1] !== undefined) {
      const source = args[1];
      this.record(sha1(source), source, inTransaction, true);
      return { args: [args[0]!, this.learn(source), ...args.slice(2)] };
    }
    if ((name === "EVALSHA" || name === "EVALSHA_RO") && args[1] !== undefined) {
      const sha = args[1].toLowerCase();
      const known = this.seen.get(sha);
      if (known) this.record(sha, undefined, inTransaction, true);
      return { args: [args[0]!, this.toRedis.get(sha) ?? args[1], ...args.slice(2)] };
    }
    if (name === "SCRIPT" && args[1]?.toUpperCase() === "LOAD" && args[2] !== undefined) {
      const source = args[2];
      this.record(sha1(source), source, inTransaction, false);
      return { args: [args[0]!, args[1], this.learn(source)], reply: sha1(source) };
    }
    return { args };
  }

  /** Every script seen, by the client's digest. */
  report(): ScriptSeen[] {
    return [...this.seen.values()].map((s) => ({ ...s, flags: [...s.flags] }));
  }

  /** The source Redis is sent in place of `source`, remembering the digest mapping. */
  private learn(source: string): string {
    const rewritten = forRedis(source);
    if (rewritten !== source) this.toRedis.set(sha1(source), sha1(rewritten));
    return rewritten;
  }

  private record(sha: string, source: string | undefined, inTransaction: boolean, run: boolean): void {
    let entry = this.seen.get(sha);
    if (!entry && source !== undefined) {
      const flags = shebangFlags(source) ?? [];
      const body = source.startsWith("#!") ? source.slice(source.indexOf("\n") + 1) : source;
      entry = { sha, flags, keyLocked: flags.includes(keyLocking), runs: 0, inTransaction: 0, preview: body.trim().slice(0, 80) };
      this.seen.set(sha, entry);
    }
    if (!entry || !run) return;
    entry.runs += 1;
    if (inTransaction) entry.inTransaction += 1;
  }
}
