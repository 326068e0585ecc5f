/** The per-checkout token of the local Upstash bridge (tools/redis/local-token.ts). */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { localUpstashToken } from "../../tools/redis/local-token";

let base: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "fresco-token-"));
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(base, { recursive: true, force: true });
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe("localUpstashToken", () => {
  it("creates a random 32-byte hex token, mode 0600, in a directory it creates", () => {
    const dir = path.join(base, "checkout", ".cache");
    const token = localUpstashToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, "upstash-token");
    expect(fs.readFileSync(file, "utf8").trim()).toBe(token);
    expect(mode(file)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(["upstash-token"]); // no temporary file left behind
    expect(localUpstashToken(path.join(base, "other"))).not.toBe(token);
  });

  it("returns the same token on later calls", () => {
    const token = localUpstashToken(base);
    expect(localUpstashToken(base)).toBe(token);
    fs.writeFileSync(path.join(base, "upstash-token"), token); // hand-edited, final newline dropped
    expect(localUpstashToken(base)).toBe(token);
  });

  it("tightens a looser mode to 0600 and keeps the token", () => {
    const token = localUpstashToken(base);
    const file = path.join(base, "upstash-token");
    for (const loose of [0o644, 0o666, 0o700]) {
      fs.chmodSync(file, loose);
      expect(localUpstashToken(base)).toBe(token);
      expect(mode(file)).toBe(0o600);
    }
  });

  it.each([
    ["empty", ""],
    ["blank", "\n"],
    ["not hex", "not a token\n"],
    ["truncated", "ab".repeat(31)],
    ["too long", "ab".repeat(33)],
  ])("replaces a file that is %s with a new token, mode 0600", (_kind, content) => {
    const file = path.join(base, "upstash-token");
    fs.writeFileSync(file, content, { mode: 0o644 });
    const token = localUpstashToken(base);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(file, "utf8").trim()).toBe(token);
    expect(mode(file)).toBe(0o600);
    expect(fs.readdirSync(base)).toEqual(["upstash-token"]);
    expect(localUpstashToken(base)).toBe(token);
  });

  it("keeps the token of a process that created the file first, not its own", () => {
    const theirs = "c".repeat(64);
    const link = fs.linkSync;
    // Another process writes its token between this one finding no file and putting its own in place.
    jest.spyOn(fs, "linkSync").mockImplementationOnce((existing, target) => {
      fs.writeFileSync(target, `${theirs}\n`, { mode: 0o600 });
      link(existing, target);
    });
    expect(localUpstashToken(base)).toBe(theirs);
    expect(fs.readdirSync(base)).toEqual(["upstash-token"]);
  });
});
