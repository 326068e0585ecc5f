/**
 * The local Upstash bridge's token for one checkout, kept in <dir>/upstash-token: 32 random bytes as hex,
 * readable by its owner only. Random, so that nothing outside the checkout (a web page, another user of
 * the machine) can know it; in a file, so that every process of the dev stack agrees on it.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const TOKEN_FORMAT = /^[0-9a-f]{64}$/;

/** The token in `<dir>/upstash-token`, created (with `dir` if needed) when missing, empty or corrupt. */
export function localUpstashToken(dir: string): string {
  const file = path.join(dir, "upstash-token");
  const existing = readToken(file);
  if (existing !== undefined) return existing;

  fs.mkdirSync(dir, { recursive: true });
  const token = randomBytes(32).toString("hex");
  // Written in full under a name of its own, then put in place in one step: no reader sees half a token.
  const temp = path.join(dir, `.upstash-token.${process.pid}.${randomBytes(6).toString("hex")}`);
  fs.writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: "wx" });
  try {
    if (fs.existsSync(file)) {
      fs.renameSync(temp, file); // replaces the corrupt one
    } else {
      // link, unlike rename, fails if the file appeared meanwhile: two first runs must not each keep a token.
      fs.linkSync(temp, file);
    }
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return localUpstashToken(dir); // another process created it first: use theirs
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** The token in `file`, its mode tightened to 0600 if looser; undefined if the file is missing or not a token. */
function readToken(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const token = text.trim();
  if (!TOKEN_FORMAT.test(token)) return undefined;
  if ((fs.statSync(file).mode & 0o777 & ~0o600) !== 0) fs.chmodSync(file, 0o600);
  return token;
}
