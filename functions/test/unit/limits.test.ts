import * as deployed from "../../src";
import { callableLimits, httpLimits, wired } from "../../src/limits/wrap";
import { deployTable } from "../../tools/deploy/table";

// Reading every export loads every domain's wiring, as discovery does.
void Object.values(deployed);

const named = (trigger: string) =>
  Object.entries(deployTable)
    .filter(([, row]) => row.trigger === trigger)
    .map(([name]) => name)
    .sort();

describe("limits (src/limits/wrap.ts)", () => {
  it("name every callable and HTTP function, and no other", () => {
    expect(Object.keys(callableLimits).sort()).toEqual(named("callable"));
    expect(Object.keys(httpLimits).sort()).toEqual(named("https"));
  });

  it("are wired around every callable and HTTP function", () => {
    expect([...wired].sort()).toEqual([...named("callable"), ...named("https")].sort());
  });

  it("count every write (each callable that writes, and watchArtSession) and every public read", () => {
    const writes = [
      "addComment",
      "applyCanvasOps",
      "createCanvasProject",
      "followUser",
      "generateArt",
      "likeImage",
      "vote",
      "watchArtSession",
    ];
    for (const name of writes)
      expect([name, callableLimits[name as keyof typeof callableLimits]]).toEqual([name, expect.arrayContaining(["write"])]);
    expect(callableLimits.addComment).toContain("comment");
    for (const [name, kind] of Object.entries(httpLimits))
      expect([name, kind]).toEqual([name, name === "creditsWebhook" ? "not limited" : "read"]);
  });
});
