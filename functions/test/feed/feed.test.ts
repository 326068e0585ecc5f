import { Timestamp } from "firebase-admin/firestore";
import { sourceItem } from "../helpers/fixtures";
import { adminAudit } from "../../src/admin/update-score";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { scoreFields } from "../../src/mirror/score";
import { callCallable, createAdmin, createUser, idTokenFor } from "../helpers/auth";
import { functionUrl } from "../helpers/emulators";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { soakSize } from "../helpers/soak";
import { waitFor } from "../helpers/wait";

// The public reads and the admin score callable, end to end: real HTTP to the Functions
// emulator, real Redis behind the Upstash bridge, the mirror kept by the real triggers.
type Item = { historyId: string; uid: string; aestheticScore?: number; prompt: string };
type Feed = { items: Item[]; nextCursor: string | null };

async function getJson<T>(name: string, query: Record<string, string | number>): Promise<{ status: number; body: T }> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const response = await fetch(`${functionUrl(name)}?${qs}`);
  return { status: response.status, body: (await response.json()) as T };
}

async function seedPublic(n: number, prefix = "feed"): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await Promise.all(
    ids.map((id, i) => {
      const item = sourceItem("ann", { prompt: `item ${i}`, createdAt: Timestamp.fromMillis(1_700_000_000_000 + i * 1000) });
      // A public score needs the fingerprint of the content it was given for.
      return db()
        .doc(sourcePath("ann", id))
        .set(i % 4 === 3 ? item : { ...item, ...scoreFields(item, i) });
    }),
  );
  // Generous: the Functions emulator runs one trigger at a time, and a previous test's
  // hundreds of mirror tasks may still be ahead of these in its queue.
  for (const id of ids)
    await waitFor(async () => (await db().doc(mirrorPath(id)).get()).exists, { timeoutMs: 120_000, what: `mirror of ${id}` });
  return ids;
}

describe("public feed and admin score", () => {
  let adminToken: string;
  let userToken: string;
  beforeAll(async () => {
    adminToken = await idTokenFor(await createAdmin("feed-admin"));
    userToken = await idTokenFor(await createUser("feed-user"));
  });
  suiteWithTriggers();
  // Tests share the lane's Firestore: each seeds its own ids and filters by them.
  const only = (items: Item[], prefix: string) => items.filter((i) => i.historyId.startsWith(`${prefix}-`));

  // 25 updates by default, 100 under FRESCO_SOAK=1.
  const updates = soakSize(25, 100);
  it(`read-your-writes: ${updates} score updates, each visible in the feed and the item at once`, async () => {
    const ids = await seedPublic(3, "ryw");
    const target = ids[1]!;
    // Warm the caches so every check below reads through a cache that must have been invalidated.
    await getJson("publicFeed", { sort: "score", limit: 50 });
    await getJson("publicGeneration", { id: target });
    let previous = -1;
    for (let i = 0; i < updates; i++) {
      let score = Math.round(Math.random() * 1000) / 100;
      if (score === previous) score = (score + 1) % 10;
      previous = score;
      const call = await callCallable<{ item: Item }>("updateAestheticScore", { historyId: target, uid: "ann", score }, adminToken);
      expect(call.result?.item.aestheticScore).toBe(score);
      const [feed, one] = await Promise.all([
        getJson<Feed>("publicFeed", { sort: "score", limit: 50 }),
        getJson<{ item: Item }>("publicGeneration", { id: target }),
      ]);
      expect(feed.body.items.find((it) => it.historyId === target)?.aestheticScore).toBe(score);
      expect(one.body.item.aestheticScore).toBe(score);
    }
    const audits = await db().collection(adminAudit).where("target.historyId", "==", target).count().get();
    expect(audits.data().count).toBe(updates);
    // Let the mirror tasks these updates enqueued drain here, not in the next test's time
    // (the Functions emulator runs one trigger at a time).
    const open = () =>
      db().collection(mirrorQueue).where("historyId", "==", target).where("status", "in", ["pending", "processing"]).count().get();
    await waitFor(async () => (await open()).data().count === 0, {
      timeoutMs: 200_000,
      intervalMs: 500,
      what: "the mirror tasks of the score updates to drain",
    });
  }, 500_000);

  it("pages with opaque cursors, without overlap, and ends with nextCursor null", async () => {
    const ids = await seedPublic(7, "page");
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Feed } = await getJson<Feed>("publicFeed", { sort: "recent", limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.body.items.map((i) => i.historyId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => id.startsWith("page-"))).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);
    const byScore = await getJson<Feed>("publicFeed", { sort: "score", limit: 50 });
    const scores = byScore.body.items.map((i) => i.aestheticScore!);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(only(byScore.body.items, "page")).toHaveLength(ids.length - 1); // the unscored item is not ranked
  }, 180_000);

  it("a user's own source write shows in the feed through the trigger path", async () => {
    await seedPublic(1, "own");
    const inFeed = async () => only((await getJson<Feed>("publicFeed", { sort: "recent", limit: 50 })).body.items, "own").length;
    expect(await inFeed()).toBe(1);
    await db().doc(sourcePath("ann", "own-0")).update({ isPublic: false });
    await waitFor(async () => (await inFeed()) === 0, { timeoutMs: 120_000, what: "the unpublished item to leave the feed" });
    expect((await getJson("publicGeneration", { id: "own-0" })).status).toBe(404);
  }, 180_000);

  it.each([
    ["publicFeed", { sort: "best" }],
    ["publicFeed", { limit: 0 }],
    ["publicFeed", { limit: 51 }],
    ["publicFeed", { limit: "ten" }],
    ["publicFeed", { cursor: "not-a-cursor" }],
    ["publicFeed", { sort: "score", cursor: Buffer.from(JSON.stringify({ s: "recent", c: 1, id: "x" })).toString("base64url") }],
    ["publicFeed", { page: 2 }],
    ["publicGeneration", {}],
    ["publicGeneration", { id: "a/b" }],
  ])("%s with %j is a 400 with a message", async (name, query) => {
    const response = await getJson<{ error: string }>(name, query as Record<string, string>);
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual(expect.any(String));
  });

  it("an unknown item is a 404", async () => {
    expect((await getJson("publicGeneration", { id: "nope" })).status).toBe(404);
  });

  describe("updateAestheticScore refuses and changes nothing", () => {
    const valid = { historyId: "refuse-0", uid: "ann", score: 5 };
    let before: FirebaseFirestore.DocumentData | undefined;
    beforeAll(async () => {
      await seedPublic(1, "refuse");
      before = (await db().doc(sourcePath("ann", "refuse-0")).get()).data();
    });
    afterEach(async () => {
      expect((await db().doc(sourcePath("ann", "refuse-0")).get()).data()).toEqual(before);
      expect((await db().collection(adminAudit).where("target.historyId", "==", "refuse-0").count().get()).data().count).toBe(0);
    });

    it("without login: unauthenticated", async () => {
      expect((await callCallable("updateAestheticScore", valid)).error?.status).toBe("UNAUTHENTICATED");
    });
    it("without the admin claim: permission-denied", async () => {
      expect((await callCallable("updateAestheticScore", valid, userToken)).error?.status).toBe("PERMISSION_DENIED");
    });
    it("an unknown item: not-found", async () => {
      expect((await callCallable("updateAestheticScore", { ...valid, historyId: "missing" }, adminToken)).error?.status).toBe("NOT_FOUND");
    });
    it.each([
      ["a string score", { ...valid, score: "7" }],
      ["NaN (null on the wire)", { ...valid, score: NaN }],
      ["above the range", { ...valid, score: 10.5 }],
      ["below the range", { ...valid, score: -1 }],
      ["a missing uid", { historyId: "refuse-0", score: 5 }],
      ["a missing score", { historyId: "refuse-0", uid: "ann" }],
      ["an extra huge string", { ...valid, note: "x".repeat(100_000) }],
      ["a path in the id", { ...valid, historyId: "refuse-0/../x" }],
      ["no payload", null],
    ])("%s: invalid-argument", async (_label, data) => {
      const response = await callCallable("updateAestheticScore", data, adminToken);
      expect(response.error?.status).toBe("INVALID_ARGUMENT");
      expect(response.error?.message).not.toMatch(/at .*\.ts|Error:/);
    });
  });
});
