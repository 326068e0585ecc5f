import { mirrorPath } from "../../src/mirror/paths";
import { selectSignupCandidates, spareFactor } from "../../src/signup/select";
import { mirrorDoc } from "../helpers/fixtures";
import { clearFirestore, db } from "../helpers/firestore";

// Which mirror documents the signup page may show (the rules, on the mirror as written here;
// the scheduled refresh and the HTTP read are in signup.test.ts).
describe("signup selection rules (selectSignupCandidates)", () => {
  beforeEach(clearFirestore);
  const settings = { count: 5, minScore: 7, perCreator: 2, ttlMs: 24 * 3600_000 };

  async function seed(rows: Array<[string, string, number | undefined, boolean?]>): Promise<void> {
    const batch = db().batch();
    for (const [id, uid, score, image] of rows) batch.set(db().doc(mirrorPath(id)), mirrorDoc(uid, score, { image: image ?? true }));
    await batch.commit();
  }

  it("takes the best scores at or above the threshold, with an image, at most perCreator per creator, count × spareFactor of them", async () => {
    await seed([
      ["sel-0", "a", 9.9],
      ["sel-1", "a", 9.8],
      ["sel-2", "a", 9.7], // a third of creator a
      ["sel-3", "b", 9.5],
      ["sel-4", "c", 6.9], // below the threshold
      ["sel-5", "d", 9.6, false], // no image
      ["sel-6", "e", 8],
      ["sel-7", "f", 7], // exactly the threshold
      ["sel-8", "g", undefined], // not scored
    ]);
    expect(await selectSignupCandidates(db(), settings)).toEqual(["sel-0", "sel-1", "sel-3", "sel-6", "sel-7"]);
    expect(spareFactor).toBe(2);
    // count 2: 4 candidates, the best ones.
    expect(await selectSignupCandidates(db(), { ...settings, count: 2 })).toEqual(["sel-0", "sel-1", "sel-3", "sel-6"]);
    expect(await selectSignupCandidates(db(), { ...settings, minScore: 9.55 })).toEqual(["sel-0", "sel-1"]);
  });

  it("reads on past a page full of a creator it may take no more of", async () => {
    // 60 items of one creator outscore the other creator's one: with perCreator 1 the second
    // candidate is on the query's second page (pages of 50).
    await seed([
      ...Array.from({ length: 60 }, (_, i): [string, string, number] => [`many-${String(i).padStart(2, "0")}`, "many", 9 + i / 100]),
      ["other-0", "other", 7.5],
    ]);
    expect(await selectSignupCandidates(db(), { ...settings, count: 1, perCreator: 1 })).toEqual(["many-59", "other-0"]);
  });

  it("selects nothing from an empty mirror", async () => {
    expect(await selectSignupCandidates(db(), settings)).toEqual([]);
  });
});
