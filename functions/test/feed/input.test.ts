/**
 * Public HTTP input: every tampered or malformed query answers 400 with a JSON `{ error }`
 * string, never a 500 and never an error log; equivalent requests share one cache entry.
 * The table runs twice: through the deployed functions on the Functions emulator, and
 * through the same handlers served in this process (where the logger can be watched), with
 * a real Cache on a private Redis and the real Firestore emulator.
 */
import { Timestamp } from "firebase-admin/firestore";
// The module object itself (a default import of this CommonJS module), so a spy on it is what
// the handlers' `import * as logger` reads through.
import logger from "firebase-functions/logger";
import type { Cache } from "../../src/cache/cache";
import { publicFeedHandler, publicGenerationHandler } from "../../src/feed/handlers";
import * as feedLoad from "../../src/feed/load";
import { mirrorPath } from "../../src/mirror/paths";
import { encodeCursor } from "../../src/shared/cursor";
import { startCacheHarness, type CacheHarness } from "../cache/harness";
import { functionUrl } from "../helpers/emulators";
import { mirrorDoc } from "../helpers/fixtures";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { serveHandlers, type HandlerServer } from "../helpers/http-server";

type Endpoint = "publicFeed" | "publicGeneration";
type Reply = { status: number; body: unknown };

/** A cursor made of raw JSON text (so it can hold what JSON.stringify would never write). */
const rawCursor = (json: string) => Buffer.from(json, "utf8").toString("base64url");
const cursor = (value: unknown) => encodeCursor(value);
const q = encodeURIComponent;
const t = [1_700_000_000, 0];
const longId = "é".repeat(751); // 751 characters, 1,502 UTF-8 bytes

/** [what, endpoint, raw query string]: each must be a 400 with a JSON { error } string. */
const refused: Array<[string, Endpoint, string]> = [
  // cursors
  ["cursor: not base64", "publicFeed", `cursor=${q("%%%")}`],
  ["cursor: standard base64 (+/=), not base64url", "publicFeed", `cursor=${q("eyJzIjoi+/==")}`],
  ["cursor: empty", "publicFeed", "cursor="],
  ["cursor: not JSON", "publicFeed", `cursor=${rawCursor("{")}`],
  ["cursor: JSON but a number", "publicFeed", `cursor=${rawCursor("123")}`],
  ["cursor: JSON null", "publicFeed", `cursor=${rawCursor("null")}`],
  ["cursor: JSON array", "publicFeed", `cursor=${rawCursor("[]")}`],
  ["cursor: over-long", "publicFeed", `cursor=${"A".repeat(3000)}`],
  ["cursor: negative nanoseconds", "publicFeed", `cursor=${cursor({ s: "recent", t: [t[0], -1], id: "a" })}`],
  ["cursor: seconds before year 1", "publicFeed", `cursor=${cursor({ s: "recent", t: [-62_135_596_801, 0], id: "a" })}`],
  ["cursor: fractional seconds", "publicFeed", `cursor=${cursor({ s: "recent", t: [1.5, 0], id: "a" })}`],
  ["cursor: fractional nanoseconds", "publicFeed", `cursor=${cursor({ s: "recent", t: [1, 0.5], id: "a" })}`],
  ["cursor: huge seconds", "publicFeed", `cursor=${cursor({ s: "recent", t: [1e20, 0], id: "a" })}`],
  ["cursor: huge nanoseconds", "publicFeed", `cursor=${cursor({ s: "recent", t: [1, 1e9], id: "a" })}`],
  ["cursor: a score beyond a double (1e400)", "publicFeed", `sort=score&cursor=${rawCursor('{"s":"score","t":[1,0],"a":1e400,"id":"a"}')}`],
  ["cursor: a score as a string", "publicFeed", `sort=score&cursor=${cursor({ s: "score", t, a: "5", id: "a" })}`],
  ["cursor: a time of one number", "publicFeed", `cursor=${cursor({ s: "recent", t: [1], id: "a" })}`],
  ["cursor: a time as a string", "publicFeed", `cursor=${cursor({ s: "recent", t: "2023-11-14T22:13:20Z", id: "a" })}`],
  ["cursor: an id with /", "publicFeed", `cursor=${cursor({ s: "recent", t, id: "a/b" })}`],
  ["cursor: an empty id", "publicFeed", `cursor=${cursor({ s: "recent", t, id: "" })}`],
  ["cursor: an id of ..", "publicFeed", `cursor=${cursor({ s: "recent", t, id: ".." })}`],
  ["cursor: a reserved id (__x__)", "publicFeed", `cursor=${cursor({ s: "recent", t, id: "__x__" })}`],
  ["cursor: a reserved id with a line break (__a\\nb__)", "publicFeed", `cursor=${cursor({ s: "recent", t, id: "__a\nb__" })}`],
  ["cursor: an id over 1,500 UTF-8 bytes", "publicFeed", `cursor=${cursor({ s: "recent", t, id: longId })}`],
  ["cursor: an id with a lone surrogate (not UTF-8)", "publicFeed", `cursor=${rawCursor('{"s":"recent","t":[1,0],"id":"x\\ud800"}')}`],
  ["cursor: no id", "publicFeed", `cursor=${cursor({ s: "recent", t })}`],
  ["cursor: an unknown field", "publicFeed", `cursor=${cursor({ s: "recent", t, id: "a", x: 1 })}`],
  ["cursor: of the other order", "publicFeed", `sort=score&cursor=${cursor({ s: "recent", t, id: "a" })}`],
  ["cursor: a score cursor without its score", "publicFeed", `sort=score&cursor=${cursor({ s: "score", t, id: "a" })}`],
  ["cursor: a recent cursor with a score", "publicFeed", `cursor=${cursor({ s: "recent", t, a: 5, id: "a" })}`],
  ["cursor: given twice", "publicFeed", `cursor=${cursor({ s: "recent", t, id: "a" })}&cursor=${cursor({ s: "recent", t, id: "b" })}`],
  ["cursor: an object (cursor[x]=1)", "publicFeed", "cursor[x]=1"],
  // limit
  ["limit=0", "publicFeed", "limit=0"],
  ["limit=51", "publicFeed", "limit=51"],
  ["limit=-1", "publicFeed", "limit=-1"],
  ["limit=1.5", "publicFeed", "limit=1.5"],
  ["limit=abc", "publicFeed", "limit=abc"],
  ["limit= (empty)", "publicFeed", "limit="],
  ["limit=Infinity", "publicFeed", "limit=Infinity"],
  ["limit=1e999", "publicFeed", "limit=1e999"],
  ["limit given twice", "publicFeed", "limit=1&limit=2"],
  ["limit given twice, the same", "publicFeed", "limit=5&limit=5"],
  ["limit as a list (limit[]=5)", "publicFeed", "limit[]=5"],
  // sort and the rest
  ["sort=best", "publicFeed", "sort=best"],
  ["sort=RECENT", "publicFeed", "sort=RECENT"],
  ["sort= (empty)", "publicFeed", "sort="],
  ["sort given twice", "publicFeed", "sort=recent&sort=score"],
  ["an unknown parameter", "publicFeed", "page=2"],
  // publicGeneration
  ["id missing", "publicGeneration", ""],
  ["id empty", "publicGeneration", "id="],
  ["id with /", "publicGeneration", `id=${q("a/b")}`],
  ["id of .", "publicGeneration", "id=."],
  ["id reserved (__x__)", "publicGeneration", "id=__x__"],
  ["id reserved with a line break (__a\\nb__)", "publicGeneration", `id=${q("__a\nb__")}`],
  ["id over 1,500 UTF-8 bytes (751 x é)", "publicGeneration", `id=${q(longId)}`],
  ["id given twice", "publicGeneration", "id=a&id=b"],
  ["id as an object (id[x]=1)", "publicGeneration", "id[x]=1"],
  ["id and an unknown parameter", "publicGeneration", "id=a&x=1"],
];

/** Valid but unusual input: answered normally (a valid id of exactly 1,500 bytes is a 404, not a 400). */
const accepted: Array<[string, Endpoint, string, number]> = [
  ["id of 1,500 UTF-8 bytes (750 x é)", "publicGeneration", `id=${q("é".repeat(750))}`, 404],
  ["id with a line break, not reserved", "publicGeneration", `id=${q("a\nb")}`, 404],
  ["no parameters", "publicFeed", "", 200],
  ["limit=50", "publicFeed", "limit=50", 200],
];

async function getRaw(url: string): Promise<Reply & { contentType: string }> {
  const response = await fetch(url);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left as text, and the assertions below say so
  }
  return { status: response.status, body, contentType: response.headers.get("content-type") ?? "" };
}

const withQuery = (base: string, query: string) => (query === "" ? base : `${base}?${query}`);

triggersOffDuringSuite();
beforeAll(async () => {
  await clearFirestore();
}, 60_000);

describe("through the Functions emulator", () => {
  it.each(refused)("%s: 400 { error }", async (_what, endpoint, query) => {
    const reply = await getRaw(withQuery(functionUrl(endpoint), query));
    expect(reply).toEqual({ status: 400, body: { error: expect.any(String) }, contentType: expect.stringMatching(/^application\/json/) });
  });

  it.each(accepted)("%s: %s answers normally", async (_what, endpoint, query, status) => {
    expect((await getRaw(withQuery(functionUrl(endpoint), query))).status).toBe(status);
  });
});

describe("in this process: the same handlers, the logger watched", () => {
  let h: CacheHarness;
  let cache: Cache;
  let server: HandlerServer;
  let error: jest.SpyInstance;
  beforeAll(async () => {
    h = await startCacheHarness();
    // A generous Redis deadline: this suite is about input, not outages; with the 150 ms default a
    // store delayed by a loaded machine failed open and the load counts below went astray.
    cache = h.newCache({ timeoutMs: 2_000 });
    const deps = () => ({ db: db(), cache });
    server = await serveHandlers({ publicFeed: publicFeedHandler(deps), publicGeneration: publicGenerationHandler(deps) });
  });
  afterAll(async () => {
    await server.close();
    await h.close();
  });
  beforeEach(async () => {
    await h.direct.flushdb();
    error = jest.spyOn(logger, "error");
  });
  afterEach(() => error.mockRestore());

  it("the watch works: a handler that fails logs one error and answers a bare 500", async () => {
    const broken = await serveHandlers({
      publicFeed: publicFeedHandler(() => {
        throw new Error("deps unavailable");
      }),
    });
    try {
      expect(await getRaw(broken.url("publicFeed"))).toMatchObject({ status: 500, body: { error: "internal error" } });
      expect(error).toHaveBeenCalledTimes(1);
    } finally {
      await broken.close();
    }
  });

  it("every refused input is a 400 { error }, none a 500, and nothing is logged as an error", async () => {
    const replies: Array<[string, number, unknown]> = [];
    for (const [what, endpoint, query] of refused) {
      const reply = await getRaw(withQuery(server.url(endpoint), query));
      replies.push([what, reply.status, reply.body]);
    }
    expect(replies.filter(([, status, body]) => status !== 400 || typeof (body as { error?: unknown }).error !== "string")).toEqual([]);
    expect(error).not.toHaveBeenCalled();
    // Refused before any read: the cache never ran.
    expect(cache.metrics()).toMatchObject({ hits: 0, misses: 0 });
    for (const [, endpoint, query, status] of accepted) expect((await getRaw(withQuery(server.url(endpoint), query))).status).toBe(status);
    expect(error).not.toHaveBeenCalled();
  });

  describe("equivalent requests share one cache entry", () => {
    const createdAt = Timestamp.fromMillis(4_102_444_800_000); // 2100: newer than anything else in the feed
    beforeAll(async () => {
      const items: Array<[string, number]> = [
        ["eq-newest", 0],
        ["eq-middle", 1],
        ["eq-oldest", 2],
      ];
      await Promise.all(
        items.map(([id, age]) =>
          db()
            .doc(mirrorPath(id))
            .set({ ...mirrorDoc("eq-user", 5), createdAt: Timestamp.fromMillis(createdAt.toMillis() - age * 1000) }),
        ),
      );
    });

    const feedKeys = async () => (await h.direct.keys("fresco:c:feed:*")).sort();

    it("cursors encoded differently (key order, spacing, 1.0 for 1, \\u escapes) are one entry and one load", async () => {
      const first = (await getRaw(withQuery(server.url("publicFeed"), "limit=1"))).body as {
        items: Array<{ historyId: string }>;
        nextCursor: string;
      };
      expect(first.items.map((i) => i.historyId)).toEqual(["eq-newest"]);
      const decoded = JSON.parse(Buffer.from(first.nextCursor, "base64url").toString("utf8")) as { s: string; t: number[]; id: string };
      expect(decoded).toEqual({ s: "recent", t: [createdAt.seconds, createdAt.nanoseconds], id: "eq-newest" });

      const spellings = [
        first.nextCursor,
        rawCursor(`{"id":"eq-newest","t":[${decoded.t[0]},${decoded.t[1]}],"s":"recent"}`),
        rawCursor(`{ "s" : "recent", "t" : [ ${decoded.t[0]}.0 , 0.0 ], "id" : "eq-newest" }`),
        rawCursor(`{"s":"rec\\u0065nt","t":[${decoded.t[0]},0],"id":"\\u0065q-newest"}`),
      ];
      expect(new Set(spellings).size).toBe(spellings.length);
      const loadsBefore = cache.metrics().loads;
      const pages = [];
      for (const spelling of spellings) pages.push((await getRaw(withQuery(server.url("publicFeed"), `limit=1&cursor=${spelling}`))).body);
      for (const page of pages) expect(page).toEqual(pages[0]);
      expect((pages[0] as { items: Array<{ historyId: string }> }).items.map((i) => i.historyId)).toEqual(["eq-middle"]);
      expect(cache.metrics().loads - loadsBefore).toBe(1); // one loader call for the four spellings
      expect(await feedKeys()).toEqual(["fresco:c:feed:recent:1", `fresco:c:feed:recent:1:${first.nextCursor}`]);
      expect(error).not.toHaveBeenCalled();
    });

    it("defaults and spellings of the parameters are one entry too", async () => {
      const spellings = ["", "sort=recent", "limit=20", "sort=recent&limit=20", "limit=020&sort=recent"];
      // The feed's own loader (the page's join also loads its creators' cards on the miss).
      const loads = jest.spyOn(feedLoad, "loadFeedPage");
      try {
        for (const query of spellings) expect((await getRaw(withQuery(server.url("publicFeed"), query))).status).toBe(200);
        expect(loads).toHaveBeenCalledTimes(1);
      } finally {
        loads.mockRestore();
      }
      expect(await feedKeys()).toEqual(["fresco:c:feed:recent:20"]);
    });

    it("a cursor the server issued for an id of 1,500 UTF-8 bytes (the longest valid id) is accepted", async () => {
      for (const id of ["é".repeat(750), "a".repeat(1500)]) {
        await db()
          .doc(mirrorPath(id))
          .set({ ...mirrorDoc("eq-user", 5), createdAt: Timestamp.fromMillis(createdAt.toMillis() + 60_000) });
        const first = (await getRaw(withQuery(server.url("publicFeed"), "limit=1"))).body as {
          items: Array<{ historyId: string }>;
          nextCursor: string;
        };
        expect(first.items.map((i) => i.historyId)).toEqual([id]);
        const next = await getRaw(withQuery(server.url("publicFeed"), `limit=1&cursor=${first.nextCursor}`));
        expect(next).toMatchObject({ status: 200, body: { items: [{ historyId: "eq-newest" }] } });
        await db().doc(mirrorPath(id)).delete();
        await cache.invalidate(["feed:public"]);
      }
      expect(error).not.toHaveBeenCalled();
    });
  });
});
