import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as deployed from "../../src";
import { luaScripts } from "../../src/cache/lua";

// Every module that defines a script, as discovery loads them (each export loads its domain when read).
void Object.values(deployed);

const srcDir = join(__dirname, "..", "..", "src");
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("the Lua scripts Fresco sends (src/cache/lua.ts)", () => {
  it("are all made by luaScript: no other module creates or evaluates a script", () => {
    const sending = sources(srcDir)
      .filter((file) => !file.endsWith(join("cache", "lua.ts")))
      .filter((file) =>
        /\bcreateScript\s*\(|\.eval(sha)?(Ro|_ro)?\s*\(|["'`](EVAL|EVALSHA|EVAL_RO|EVALSHA_RO)["'`]/i.test(readFileSync(file, "utf8")),
      )
      .map((file) => relative(srcDir, file));
    expect(sending).toEqual([]);
  });

  it("each carries allow-key-locking on its first line, and no-writes when it only reads", () => {
    const scripts = luaScripts();
    expect(scripts.map((s) => s.name).sort()).toEqual([
      "art.deleteStatusIf",
      "art.releaseStatus",
      "art.updateStatus",
      "cache.bump",
      "cache.initVersions",
      "cache.releaseLock",
      "cache.store",
    ]);
    for (const script of scripts) {
      const [shebang] = script.source.split("\n");
      expect([script.name, shebang]).toEqual([
        script.name,
        script.readOnly ? "#!lua flags=no-writes,allow-key-locking" : "#!lua flags=allow-key-locking",
      ]);
    }
  });

  it("build no key inside the script: every redis.call names KEYS[...], unpack(KEYS ...) or no key at all", () => {
    // A key built from ARGV (ARGV[1] .. tag) would be refused by Upstash under allow-key-locking;
    // test/tools/script-flags.test.ts runs each one on the bridge, which refuses it as Upstash does.
    for (const script of luaScripts()) {
      const calls = [...script.source.matchAll(/redis\.p?call\(\s*'(\w+)'\s*(?:,\s*([^,)]+))?/g)];
      const wrong = calls.filter(
        ([, command, firstArg]) => command !== "TIME" && !/^(KEYS\[[^\]]+\]|unpack\(KEYS)$/.test((firstArg ?? "").trim()),
      );
      expect([script.name, wrong.map((c) => c[0])]).toEqual([script.name, []]);
    }
  });
});
