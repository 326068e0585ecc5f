import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the lanes are CommonJS (jest's configs read them)
const { lanes, rank } = require("../lanes") as {
  lanes: Record<string, string[]>;
  rank: (lane: string, path: string) => number;
};

const root = join(__dirname, "..", "..");
function suites(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? suites(join(dir, entry.name)) : entry.name.endsWith(".test.ts") ? [relative(root, join(dir, entry.name))] : [],
  );
}

describe("test lanes (test/lanes.js)", () => {
  const all = suites(join(root, "test"));

  it("put every suite in exactly one lane", () => {
    const lanesOf = (suite: string) => Object.keys(lanes).filter((lane) => rank(lane, `/x/functions/${suite}`) < lanes[lane]!.length);
    expect(all.map((suite) => ({ suite, lanes: lanesOf(suite) })).filter((s) => s.lanes.length !== 1)).toEqual([]);
  });

  it("name only suites that exist", () => {
    const named = Object.values(lanes)
      .flat()
      .filter((entry) => !entry.endsWith("/"));
    expect(named.filter((entry) => !all.includes(entry))).toEqual([]);
  });
});
