import { entryPath, jamPath, voteLogRetentionMs } from "../../src/jams/model";
import { callCallable, createAdmin, createUser, idTokenFor } from "../helpers/auth";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";

// The jam callables over HTTP with Auth-emulator ID tokens, as the apps call them.

type Queue = {
  entries: Array<{ entryId: string; title: string; url: string | null; upvotes: number; downvotes: number; score: number }>;
  myVotes: Record<string, number>;
};
type Voted = { entryId: string; upvotes: number; downvotes: number; score: number; myVote: number; invalidation: string };

describe("jam callables", () => {
  let host: string;
  let ann: string;
  let bob: string;
  let admin: string;
  beforeAll(async () => {
    [host, ann, bob] = (await Promise.all(["jam-host", "jam-ann", "jam-bob"].map(async (uid) => idTokenFor(await createUser(uid))))) as [
      string,
      string,
      string,
    ];
    admin = await idTokenFor(await createAdmin("jam-admin"));
  });
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  async function call<T>(name: string, data: unknown, token: string): Promise<T> {
    const { result, error } = await callCallable<T>(name, data, token);
    if (error) throw new Error(`${name}: ${JSON.stringify(error)}`);
    return result!;
  }
  async function jamWithEntries(titles: string[]): Promise<{ jamId: string; entryIds: string[] }> {
    const { jamId } = await call<{ jamId: string }>("createJam", { title: "Friday jam" }, host);
    const entryIds: string[] = [];
    for (const title of titles) entryIds.push((await call<{ entryId: string }>("addEntry", { jamId, title }, ann)).entryId);
    return { jamId, entryIds };
  }
  const vote = (jamId: string, entryId: string, value: number, token: string) => call<Voted>("vote", { jamId, entryId, value }, token);
  const logSize = async (jamId: string) =>
    (
      await db()
        .collection(`${jamPath(jamId)}/voteLog`)
        .get()
    ).size;

  it("counts votes exactly: the same vote twice changes nothing, a switch moves one vote, 0 clears", async () => {
    const { jamId, entryIds } = await jamWithEntries(["song"]);
    const e = entryIds[0]!;
    expect(await vote(jamId, e, 1, ann)).toEqual({ entryId: e, upvotes: 1, downvotes: 0, score: 1, myVote: 1, invalidation: "confirmed" });
    expect(await vote(jamId, e, 1, ann)).toEqual({ entryId: e, upvotes: 1, downvotes: 0, score: 1, myVote: 1, invalidation: "confirmed" });
    expect(await logSize(jamId)).toBe(1);
    const [entry] = (
      await db()
        .collection(`${jamPath(jamId)}/voteLog`)
        .get()
    ).docs;
    expect(entry!.get("expireAt").toMillis() - entry!.get("at").toMillis()).toBe(voteLogRetentionMs); // kept 30 days (TTL)
    expect(await vote(jamId, e, -1, bob)).toEqual({
      entryId: e,
      upvotes: 1,
      downvotes: 1,
      score: 0,
      myVote: -1,
      invalidation: "confirmed",
    });
    expect(await vote(jamId, e, -1, ann)).toEqual({
      entryId: e,
      upvotes: 0,
      downvotes: 2,
      score: -2,
      myVote: -1,
      invalidation: "confirmed",
    });
    expect(await vote(jamId, e, 0, bob)).toEqual({ entryId: e, upvotes: 0, downvotes: 1, score: -1, myVote: 0, invalidation: "confirmed" });
    expect(await logSize(jamId)).toBe(4);
    expect((await db().doc(entryPath(jamId, e)).get()).data()).toMatchObject({ upvotes: 0, downvotes: 1, score: -1 });
  });

  it("jamQueue: by score then age, the same for everyone, and each caller's own votes apart", async () => {
    const { jamId, entryIds } = await jamWithEntries(["first", "second", "third"]);
    const [a, b, c] = entryIds as [string, string, string];
    await vote(jamId, c, 1, ann);
    await vote(jamId, c, 1, bob);
    await vote(jamId, b, 1, ann);
    await vote(jamId, a, -1, bob);
    const annView = await call<Queue>("jamQueue", { jamId }, ann);
    const bobView = await call<Queue>("jamQueue", { jamId }, bob);
    expect(annView.entries.map((e) => [e.title, e.score])).toEqual([
      ["third", 2],
      ["second", 1],
      ["first", -1],
    ]);
    expect(bobView.entries).toEqual(annView.entries);
    expect(annView.myVotes).toEqual({ [c]: 1, [b]: 1 });
    expect(bobView.myVotes).toEqual({ [c]: 1, [a]: -1 });
    expect((await call<Queue>("jamQueue", { jamId }, host)).myVotes).toEqual({});
  });

  it("after vote returns, another participant's next jamQueue shows it (their cached queue was invalidated)", async () => {
    const { jamId, entryIds } = await jamWithEntries(["song"]);
    const e = entryIds[0]!;
    for (let n = 1; n <= 5; n++) {
      expect((await call<Queue>("jamQueue", { jamId }, bob)).entries[0]!.upvotes).toBe(n - 1); // fills the shared entry
      await vote(jamId, e, 1, await idTokenFor(await createUser(`jam-voter-${n}`)));
      expect((await call<Queue>("jamQueue", { jamId }, bob)).entries[0]!.upvotes).toBe(n);
    }
  });

  it("a new entry shows in everyone's next jamQueue", async () => {
    const { jamId } = await jamWithEntries(["one"]);
    expect((await call<Queue>("jamQueue", { jamId }, bob)).entries).toHaveLength(1);
    await call("addEntry", { jamId, title: "two", url: "https://example.com/two.mp3" }, bob);
    expect((await call<Queue>("jamQueue", { jamId }, ann)).entries.map((e) => [e.title, e.url])).toEqual([
      ["one", null],
      ["two", "https://example.com/two.mp3"],
    ]);
  });

  it("refuses with the right code and writes nothing", async () => {
    const { jamId, entryIds } = await jamWithEntries(["song"]);
    const e = entryIds[0]!;
    const status = async (name: string, data: unknown, token?: string) => (await callCallable(name, data, token)).error?.status;
    expect(await status("vote", { jamId: "nope", entryId: e, value: 1 }, ann)).toBe("NOT_FOUND");
    expect(await status("vote", { jamId, entryId: "nope", value: 1 }, ann)).toBe("NOT_FOUND");
    expect(await status("jamQueue", { jamId: "nope" }, ann)).toBe("NOT_FOUND");
    expect(await status("addEntry", { jamId: "nope", title: "x" }, ann)).toBe("NOT_FOUND");
    for (const value of [2, -2, 0.5, "1", null]) expect(await status("vote", { jamId, entryId: e, value }, ann)).toBe("INVALID_ARGUMENT");
    expect(await status("vote", { jamId, entryId: e, value: 1 })).toBe("UNAUTHENTICATED");
    expect(await status("createJam", { title: "x" })).toBe("UNAUTHENTICATED");
    expect(await status("createJam", { title: "" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await status("addEntry", { jamId, title: "x", url: "http://plain.example" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await status("addEntry", { jamId, title: "x", url: "javascript:alert(1)" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await status("addEntry", { jamId, title: "x", url: "https://user:pw@example.com/a" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await status("addEntry", { jamId, title: "a\u0007b" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await status("closeJam", { jamId }, ann)).toBe("PERMISSION_DENIED");
    expect(await status("getVoteDebugInfo", { jamId }, ann)).toBe("PERMISSION_DENIED");
    expect(await logSize(jamId)).toBe(0);
    expect(
      (
        await db()
          .collection(`${jamPath(jamId)}/entries`)
          .get()
      ).size,
    ).toBe(1);

    await call("closeJam", { jamId }, host);
    await call("closeJam", { jamId }, host); // idempotent
    expect(await status("vote", { jamId, entryId: e, value: 1 }, ann)).toBe("FAILED_PRECONDITION");
    expect(await status("addEntry", { jamId, title: "late" }, ann)).toBe("FAILED_PRECONDITION");
    expect(await logSize(jamId)).toBe(0);
    expect(
      (
        await db()
          .collection(`${jamPath(jamId)}/votes`)
          .get()
      ).size,
    ).toBe(0);
  });

  it.each([
    ["getVoteDebugInfo", { jamId: "j", limit: 0 }, "admin"],
    ["getVoteDebugInfo", { jamId: "j", limit: 501 }, "admin"],
    ["getVoteDebugInfo", { jamId: "j", limit: 2.5 }, "admin"],
    ["closeJam", { jamId: "a/b" }, "host"],
    ["closeJam", { jamId: "j", force: true }, "host"],
    ["jamQueue", { jamId: "__x__" }, "ann"],
    ["jamQueue", {}, "ann"],
    ["createJam", { title: "t".repeat(201) }, "ann"],
    ["addEntry", { jamId: "j", title: "x", url: `https://example.com/${"a".repeat(2100)}` }, "ann"],
  ])("%s refuses %j with invalid-argument", async (name, data, who) => {
    const token = { admin, host, ann }[who as "admin" | "host" | "ann"];
    expect((await callCallable(name, data, token)).error?.status).toBe("INVALID_ARGUMENT");
    expect((await db().collection("jams").get()).size).toBe(0);
  });

  it("getVoteDebugInfo shows the newest vote log entries and counts that agree with a recount", async () => {
    const { jamId, entryIds } = await jamWithEntries(["a", "b"]);
    await vote(jamId, entryIds[0]!, 1, ann);
    await vote(jamId, entryIds[0]!, -1, ann);
    await vote(jamId, entryIds[1]!, 1, bob);
    const info = await call<{
      recentVotes: Array<{ uid: string; from: number; to: number }>;
      entries: Array<{ agree: boolean; recount: unknown }>;
    }>("getVoteDebugInfo", { jamId, limit: 2 }, admin);
    expect(info.recentVotes.map((v) => [v.uid, v.from, v.to])).toEqual([
      ["jam-bob", 0, 1],
      ["jam-ann", 1, -1],
    ]);
    expect(info.entries.every((e) => e.agree)).toBe(true);
    expect(info.entries.map((e) => e.recount)).toEqual(
      expect.arrayContaining([
        { upvotes: 0, downvotes: 1, score: -1 },
        { upvotes: 1, downvotes: 0, score: 1 },
      ]),
    );
  });
});
