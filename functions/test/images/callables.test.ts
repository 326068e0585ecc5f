/**
 * The images callables and imageDetails over HTTP with Auth-emulator ID tokens, as the apps
 * call them: likes, comments, collections and sets, each read fresh right after its write,
 * and every refusal (right code, nothing written).
 */
import { setLike } from "../../src/images/likes";
import { collectionPath, commentsPath, likePath, savedPath, statShardsPath } from "../../src/images/model";
import { sourcePath } from "../../src/mirror/paths";
import { notificationsPath } from "../../src/people/model";
import { callCallable } from "../helpers/auth";
import { db, triggersOffDuringSuite } from "../helpers/firestore";
import { testCache } from "../helpers/redis";
import { call, get, person, type Person } from "../people/harness";
import { publish, type Collections, type Details, type Page, type State } from "./harness";

jest.setTimeout(60_000);
triggersOffDuringSuite(); // items are mirrored by hand (publish), so no task races a test's write

const run = Date.now().toString(36);
const id = (name: string) => `ic-${name}-${run}`;
let owner!: Person;
let fan!: Person;
let other!: Person;
let admin!: Person;
const art = id("art");
const secret = id("secret");

beforeAll(async () => {
  [owner, fan, other, admin] = await Promise.all([person(id("owner")), person(id("fan")), person(id("other")), person(id("admin"), true)]);
  await publish(owner.uid, art, { prompt: "a red fox", model: "sdxl" });
  await publish(owner.uid, secret, { isPublic: false });
});

const refused = async (name: string, data: unknown, who?: Person) => (await callCallable(name, data, who?.token)).error?.status;
const details = async (historyId: string, cursor?: string) =>
  (await get<Details>("imageDetails", { id: historyId, ...(cursor ? { cursor } : {}) })).body;
const state = (who: Person, historyId = art) => call<State>("myImageState", { historyId }, who);

describe("likes", () => {
  it("like and unlike are idempotent, and each shows on the next imageDetails, likedImages and myImageState", async () => {
    await details(art); // cached
    await call("likedImages", {}, fan);
    await state(fan);
    expect(await call("likeImage", { historyId: art }, fan)).toEqual({ liked: true, likeCount: 1 });
    expect(await call("likeImage", { historyId: art }, fan)).toEqual({ liked: true, likeCount: 1 });
    expect((await details(art)).item.likeCount).toBe(1);
    expect((await call<Page>("likedImages", {}, fan)).items.map((i) => i.historyId)).toEqual([art]);
    expect((await state(fan)).liked).toBe(true);
    expect(await call("unlikeImage", { historyId: art }, fan)).toEqual({ liked: false, likeCount: 0 });
    expect(await call("unlikeImage", { historyId: art }, fan)).toEqual({ liked: false, likeCount: 0 });
    expect((await details(art)).item.likeCount).toBe(0);
    expect((await call<Page>("likedImages", {}, fan)).items).toEqual([]);
    expect((await state(fan)).liked).toBe(false);
  });

  it("counts exactly under concurrency: 100 users liking at once give 100, on shards", async () => {
    // In-process on the same emulator and Redis: the Functions emulator would start a worker
    // per concurrent call, which measures its start-up, not the transaction.
    const hot = id("hot");
    await publish(owner.uid, hot);
    const deps = { db: db(), cache: testCache() };
    const likers = Array.from({ length: 100 }, (_, i) => id(`liker-${i}`));
    const answers = await Promise.all(likers.map((uid) => setLike(deps, uid, hot, true)));
    await Promise.all(likers.slice(0, 10).map((uid) => setLike(deps, uid, hot, true))); // retried: nothing changes
    expect(Math.max(...answers.map((a) => a.likeCount))).toBe(100);
    expect((await details(hot)).item.likeCount).toBe(100);
    const shards = await db().collection(statShardsPath(hot)).get();
    expect(shards.size).toBeGreaterThan(1); // spread, not one document every liker writes
  });

  it("raises the owner's like notification once, however often the like is repeated", async () => {
    await call("likeImage", { historyId: art }, other);
    await call("unlikeImage", { historyId: art }, other);
    await call("likeImage", { historyId: art }, other);
    const mine = await db().collection(notificationsPath(owner.uid)).where("actorUid", "==", other.uid).get();
    expect(mine.docs.map((d) => [d.get("type"), d.get("targetId")])).toEqual([["like", art]]);
  });

  it("a like, a comment and a comment like each show in the notified user's next listNotifications and me", async () => {
    const actor = await person(id("notifier"));
    const { comment } = await call<{ comment: { commentId: string } }>("addComment", { historyId: art, text: "to be liked" }, fan);
    const unread = async (who: Person) => (await call<{ unreadNotifications: number }>("me", {}, who)).unreadNotifications;
    const types = async (who: Person) =>
      (await call<{ items: Array<{ type: string; actorUid: string }> }>("listNotifications", {}, who)).items
        .filter((n) => n.actorUid === actor.uid)
        .map((n) => n.type);
    const before = [await unread(owner), await unread(fan)];
    expect([await types(owner), await types(fan)]).toEqual([[], []]); // both cached now
    await call("likeImage", { historyId: art }, actor);
    await call("addComment", { historyId: art, text: "nice" }, actor);
    await call("likeComment", { historyId: art, commentId: comment.commentId }, actor);
    expect((await types(owner)).sort()).toEqual(["comment", "like"]);
    expect(await types(fan)).toEqual(["like"]);
    expect([await unread(owner), await unread(fan)]).toEqual([before[0]! + 2, before[1]! + 1]);
  });

  it("refuses private and unknown items with not-found, and writes nothing", async () => {
    expect(await refused("likeImage", { historyId: secret }, fan)).toBe("NOT_FOUND");
    expect(await refused("likeImage", { historyId: id("nothing") }, fan)).toBe("NOT_FOUND");
    expect((await db().doc(likePath(fan.uid, secret)).get()).exists).toBe(false);
    expect((await get("imageDetails", { id: secret })).status).toBe(404);
  });
});

describe("comments", () => {
  it("adds (trimmed), lists newest first with the author's name, counts, and is liked once per user", async () => {
    await details(art);
    const { comment } = await call<{ comment: Details["comments"][number] }>(
      "addComment",
      { historyId: art, text: "  lovely fox \n " },
      fan,
    );
    expect(comment).toMatchObject({ uid: fan.uid, text: "lovely fox", likeCount: 0, username: null }); // no handle claimed
    const seen = await details(art);
    expect(seen.comments[0]).toEqual(comment);
    expect(seen.item.commentCount).toBeGreaterThanOrEqual(1);
    const count = seen.item.commentCount;
    expect(await call("likeComment", { historyId: art, commentId: comment.commentId }, other)).toEqual({ liked: true, likeCount: 1 });
    expect(await call("likeComment", { historyId: art, commentId: comment.commentId }, other)).toEqual({ liked: true, likeCount: 1 });
    expect((await details(art)).comments[0]!.likeCount).toBe(1);
    expect((await state(other)).likedCommentIds).toEqual([comment.commentId]);
    // The owner deletes it: gone from the page, the count and the liker's state.
    expect(await call("deleteComment", { historyId: art, commentId: comment.commentId }, owner)).toEqual({ deleted: true });
    const after = await details(art);
    expect(after.comments.map((c) => c.commentId)).not.toContain(comment.commentId);
    expect(after.item.commentCount).toBe(count - 1);
    expect((await state(other)).likedCommentIds).toEqual([]);
  });

  it("is deleted by its author or an admin; anyone else gets not-found and it stays", async () => {
    const a = (await call<{ comment: { commentId: string } }>("addComment", { historyId: art, text: "mine" }, fan)).comment.commentId;
    const b = (await call<{ comment: { commentId: string } }>("addComment", { historyId: art, text: "moderated" }, fan)).comment.commentId;
    expect(await refused("deleteComment", { historyId: art, commentId: a }, other)).toBe("NOT_FOUND");
    expect(
      (
        await db()
          .doc(`${commentsPath(art)}/${a}`)
          .get()
      ).exists,
    ).toBe(true);
    await call("deleteComment", { historyId: art, commentId: a }, fan);
    await call("deleteComment", { historyId: art, commentId: b }, admin);
    expect((await db().collection(commentsPath(art)).where("text", "in", ["mine", "moderated"]).get()).size).toBe(0);
  });

  it("pages with a cursor; a tampered cursor is 400", async () => {
    const paged = id("paged");
    await publish(owner.uid, paged);
    for (let i = 0; i < 22; i++) await call("addComment", { historyId: paged, text: `c${i}` }, fan);
    const first = await details(paged);
    expect(first.comments).toHaveLength(20);
    const second = await details(paged, first.nextCursor!);
    expect([...first.comments, ...second.comments].map((c) => c.text)).toEqual(Array.from({ length: 22 }, (_, i) => `c${21 - i}`));
    expect(second.nextCursor).toBeNull();
    expect((await get("imageDetails", { id: paged, cursor: "bm9wZQ" })).status).toBe(400);
    expect((await get("imageDetails", { id: "a/b" })).status).toBe(400);
  });

  it.each([
    [{ historyId: art, text: "" }, "INVALID_ARGUMENT"],
    [{ historyId: art, text: "   " }, "INVALID_ARGUMENT"],
    [{ historyId: art, text: "x".repeat(2001) }, "INVALID_ARGUMENT"],
    [{ historyId: art, text: "bell\u0007" }, "INVALID_ARGUMENT"],
    [{ historyId: art, text: "hi", extra: 1 }, "INVALID_ARGUMENT"],
    [{ historyId: secret, text: "hi" }, "NOT_FOUND"],
  ])("refuses addComment %j with %s, writing nothing", async (data, code) => {
    const before = (
      await db()
        .collection(commentsPath(String(data.historyId)))
        .get()
    ).size;
    expect(await refused("addComment", data, fan)).toBe(code);
    expect(
      (
        await db()
          .collection(commentsPath(String(data.historyId)))
          .get()
      ).size,
    ).toBe(before);
  });
});

describe("collections", () => {
  it("create, save, rename, remove, delete: each shows on the next myCollections, collectionItems and myImageState", async () => {
    await call("myCollections", {}, fan);
    const { collectionId } = await call<{ collectionId: string }>("createCollection", { name: "Foxes" }, fan);
    expect((await call<Collections>("myCollections", {}, fan)).collections.map((c) => c.name)).toContain("Foxes");
    await state(fan);
    await call("collectionItems", { collectionId }, fan);
    expect(await call("addToCollection", { collectionId, historyId: art }, fan)).toEqual({ collectionId, saved: true, itemCount: 1 });
    expect(await call("addToCollection", { collectionId, historyId: art }, fan)).toEqual({ collectionId, saved: true, itemCount: 1 });
    expect((await state(fan)).collectionIds).toEqual([collectionId]);
    expect((await call<Page>("collectionItems", { collectionId }, fan)).items.map((i) => i.historyId)).toEqual([art]);
    const mine = (await call<Collections>("myCollections", {}, fan)).collections.find((c) => c.collectionId === collectionId)!;
    expect(mine).toMatchObject({ itemCount: 1, coverUrl: "https://img.test/a.png" });
    await call("updateCollection", { collectionId, name: "Red foxes", description: "the best" }, fan);
    expect((await call<Collections>("myCollections", {}, fan)).collections.find((c) => c.collectionId === collectionId)).toMatchObject({
      name: "Red foxes",
      description: "the best",
    });
    await call("removeFromCollection", { collectionId, historyId: art }, fan);
    expect((await state(fan)).collectionIds).toEqual([]);
    expect((await call<Page>("collectionItems", { collectionId }, fan)).items).toEqual([]);
    await call("addToCollection", { collectionId, historyId: art }, fan);
    await state(fan);
    expect(await call("deleteCollection", { collectionId }, fan)).toEqual({ deleted: true });
    expect((await state(fan)).collectionIds).toEqual([]);
    expect((await call<Collections>("myCollections", {}, fan)).collections.map((c) => c.collectionId)).not.toContain(collectionId);
    expect(await refused("collectionItems", { collectionId }, fan)).toBe("NOT_FOUND");
    expect(
      (
        await db()
          .collection(`${collectionPath(fan.uid, collectionId)}/items`)
          .get()
      ).size,
    ).toBe(0);
    expect((await db().doc(savedPath(fan.uid, art)).get()).get("collectionIds")).not.toContain(collectionId);
    expect(await refused("deleteCollection", { collectionId }, fan)).toBe("NOT_FOUND");
  });

  it("a cover follows its item: a new first image or the item going private shows on the next myCollections", async () => {
    const pic = id("cover");
    await publish(owner.uid, pic, { images: [{ url: "https://img.test/first.png" }] });
    const { collectionId } = await call<{ collectionId: string }>("createCollection", { name: "Covers" }, fan);
    await call("addToCollection", { collectionId, historyId: pic }, fan);
    const cover = async () =>
      (await call<Collections>("myCollections", {}, fan)).collections.find((c) => c.collectionId === collectionId)!.coverUrl;
    expect(await cover()).toBe("https://img.test/first.png");
    await publish(owner.uid, pic, { images: [{ url: "https://img.test/second.png", thumbnailUrl: "https://img.test/second-t.png" }] });
    expect(await cover()).toBe("https://img.test/second-t.png");
    await publish(owner.uid, pic, { isPublic: false });
    expect(await cover()).toBeNull();
  });

  it("someone else's collection is not-found for every action, the same as a missing one, and stays as it was", async () => {
    const { collectionId } = await call<{ collectionId: string }>("createCollection", { name: "Mine" }, fan);
    for (const [name, data] of [
      ["updateCollection", { collectionId, name: "taken" }],
      ["deleteCollection", { collectionId }],
      ["addToCollection", { collectionId, historyId: art }],
      ["removeFromCollection", { collectionId, historyId: art }],
      ["collectionItems", { collectionId }],
    ] as const) {
      expect([name, await refused(name, data, other)]).toEqual([name, "NOT_FOUND"]);
      expect([name, await refused(name, { ...data, collectionId: id("missing") }, fan)]).toEqual([name, "NOT_FOUND"]);
    }
    expect((await db().doc(collectionPath(fan.uid, collectionId)).get()).data()).toMatchObject({ name: "Mine", itemCount: 0 });
  });

  it("refuses saving a private item (not-found) and bad names (invalid-argument)", async () => {
    const { collectionId } = await call<{ collectionId: string }>("createCollection", { name: "Private?" }, fan);
    expect(await refused("addToCollection", { collectionId, historyId: secret }, fan)).toBe("NOT_FOUND");
    expect(await refused("createCollection", { name: "" }, fan)).toBe("INVALID_ARGUMENT");
    expect(await refused("createCollection", { name: "x".repeat(101) }, fan)).toBe("INVALID_ARGUMENT");
    expect(await refused("createCollection", { name: "tab\there" }, fan)).toBe("INVALID_ARGUMENT");
    expect(await refused("updateCollection", { collectionId }, fan)).toBe("INVALID_ARGUMENT");
  });
});

describe("sets", () => {
  it("mySets filters by exact prompt and/or model, newest first, private ones too; getSet is one of mine", async () => {
    const uid = owner.uid;
    const sets = [id("s1"), id("s2"), id("s3")];
    await publish(uid, sets[0]!, { prompt: "blue whale", model: "flux" });
    await publish(uid, sets[1]!, { prompt: "blue whale", model: "sdxl", isPublic: false });
    await publish(uid, sets[2]!, { prompt: "blue whale ", model: "flux" });
    const ids = async (data: Record<string, unknown>) => (await call<Page>("mySets", data, owner)).items.map((i) => i.historyId);
    expect(await ids({ prompt: "blue whale" })).toEqual([sets[1], sets[0]]);
    expect(await ids({ prompt: "blue whale", model: "flux" })).toEqual([sets[0]]);
    expect((await ids({ model: "flux" })).slice(0, 2)).toEqual([sets[2], sets[0]]);
    expect((await call<{ item: { historyId: string; isPublic: boolean } }>("getSet", { historyId: sets[1] }, owner)).item).toMatchObject({
      historyId: sets[1],
      isPublic: false,
    });
    expect(await refused("getSet", { historyId: sets[1] }, fan)).toBe("NOT_FOUND");
    expect(await refused("deleteSet", { historyId: sets[1] }, fan)).toBe("NOT_FOUND");
    expect((await db().doc(sourcePath(uid, sets[1]!)).get()).get("isDeleted")).toBe(false);
  });

  it("deleteSet soft-deletes: gone from every filtered list, getSet, the feed, the profile and likers' lists on the next read", async () => {
    const doomed = id("doomed");
    await publish(owner.uid, doomed, { prompt: "doomed set", model: "dalle" });
    await call("likeImage", { historyId: doomed }, fan);
    const { collectionId } = await call<{ collectionId: string }>("createCollection", { name: "Doomed" }, fan);
    await call("addToCollection", { collectionId, historyId: doomed }, fan);
    const reads = {
      byModel: () => call<Page>("mySets", { model: "dalle" }, owner),
      byPrompt: () => call<Page>("mySets", { prompt: "doomed set" }, owner),
      liked: () => call<Page>("likedImages", {}, fan),
      collection: () => call<Page>("collectionItems", { collectionId }, fan),
      profile: async () => (await get<Page>("userProfile", { uid: owner.uid, limit: 50 })).body,
      feed: async () => (await get<Page>("publicFeed", { sort: "recent", limit: 50 })).body,
    };
    for (const read of Object.values(reads)) expect((await read()).items.map((i) => i.historyId)).toContain(doomed);
    expect(await call("deleteSet", { historyId: doomed }, owner)).toEqual({ deleted: true, invalidation: "confirmed" });
    for (const [name, read] of Object.entries(reads))
      expect({ name, shown: (await read()).items.some((i) => i.historyId === doomed) }).toEqual({ name, shown: false });
    expect(await refused("getSet", { historyId: doomed }, owner)).toBe("NOT_FOUND");
    expect((await get("imageDetails", { id: doomed })).status).toBe(404);
    expect((await db().doc(sourcePath(owner.uid, doomed)).get()).get("isDeleted")).toBe(true);
    expect(await call("deleteSet", { historyId: doomed }, owner)).toEqual({ deleted: true, invalidation: "confirmed" });
  });

  it("deleteSet of a set the app already marked deleted still takes it out of public reads before it answers", async () => {
    const marked = id("marked");
    await publish(owner.uid, marked);
    expect((await get("imageDetails", { id: marked })).status).toBe(200);
    // The app's own write, with no trigger running (this suite): the mirror still shows it.
    await db().doc(sourcePath(owner.uid, marked)).update({ isDeleted: true });
    expect((await get("imageDetails", { id: marked })).status).toBe(200);
    expect(await call("deleteSet", { historyId: marked }, owner)).toEqual({ deleted: true, invalidation: "confirmed" });
    expect((await get("imageDetails", { id: marked })).status).toBe(404);
  });
});

describe("refusals", () => {
  const calls: Array<[string, unknown]> = [
    ["likeImage", { historyId: art }],
    ["unlikeImage", { historyId: art }],
    ["addComment", { historyId: art, text: "hi" }],
    ["deleteComment", { historyId: art, commentId: "c" }],
    ["likeComment", { historyId: art, commentId: "c" }],
    ["unlikeComment", { historyId: art, commentId: "c" }],
    ["createCollection", { name: "n" }],
    ["updateCollection", { collectionId: "c", name: "n" }],
    ["deleteCollection", { collectionId: "c" }],
    ["addToCollection", { collectionId: "c", historyId: art }],
    ["removeFromCollection", { collectionId: "c", historyId: art }],
    ["deleteSet", { historyId: art }],
    ["myImageState", { historyId: art }],
    ["likedImages", {}],
    ["myCollections", {}],
    ["collectionItems", { collectionId: "c" }],
    ["mySets", {}],
    ["getSet", { historyId: art }],
  ];

  it.each(calls)("%s: unauthenticated without a token", async (name, data) => {
    expect(await refused(name, data)).toBe("UNAUTHENTICATED");
  });

  it.each(calls)("%s: invalid-argument for an unknown field, a bad id or limit, and a tampered cursor", async (name, data) => {
    expect(await refused(name, { ...(data as object), extra: true }, fan)).toBe("INVALID_ARGUMENT");
    const ids = Object.keys(data as object).filter((k) => k.endsWith("Id"));
    for (const key of ids) expect(await refused(name, { ...(data as object), [key]: "a/b" }, fan)).toBe("INVALID_ARGUMENT");
    if (["likedImages", "collectionItems", "mySets"].includes(name)) {
      for (const limit of [0, 51, 1.5]) expect(await refused(name, { ...(data as object), limit }, fan)).toBe("INVALID_ARGUMENT");
      expect(await refused(name, { ...(data as object), cursor: "bm9wZQ" }, fan)).toBe("INVALID_ARGUMENT");
    }
  });

  it("a deleted like target cannot be liked, but a like can always be withdrawn", async () => {
    const gone = id("gone");
    await publish(owner.uid, gone);
    await call("likeImage", { historyId: gone }, other);
    await call("deleteSet", { historyId: gone }, owner);
    expect(await refused("likeImage", { historyId: gone }, fan)).toBe("NOT_FOUND");
    expect(await call("unlikeImage", { historyId: gone }, other)).toEqual({ liked: false, likeCount: 0 });
  });
});
