import { endpointCache } from "../../src/cache/endpoints";
import { families, writes } from "../../src/cache/map";
import * as deployed from "../../src/index";

// Every deployed function says what it does with the cache: a declared reader, a declared
// writer, or explicitly uncached. A new export without an entry fails here.
describe("the cache use of every deployed function", () => {
  it("has an entry for every export of src/index.ts, and no other", () => {
    expect(Object.keys(endpointCache).sort()).toEqual(Object.keys(deployed).sort());
  });

  it("names only declared families and write actions, and uses each of them somewhere", () => {
    const uses = Object.values(endpointCache).filter((u) => u !== "uncached");
    const read = new Set(uses.flatMap((u) => u.reads ?? []));
    const written = new Set(uses.flatMap((u) => u.writes ?? []));
    expect([...read].sort()).toEqual(Object.keys(families).sort());
    expect([...written].sort()).toEqual(Object.keys(writes).sort());
  });
});
