/**
 * The people callables and reads over HTTP with Auth-emulator ID tokens, as the apps call
 * them: profiles and usernames, follows, notifications, and every refusal (nothing written).
 */
import { notificationsPath, userPath, usernamePath } from "../../src/people/model";
import { callCallable } from "../helpers/auth";
import { db } from "../helpers/firestore";
import { call, get, person, type Person } from "./harness";

jest.setTimeout(60_000);

const run = Date.now().toString(36);
const id = (name: string) => `pc-${name}-${run}`;
let ann!: Person;
let bob!: Person;
let cat!: Person;

beforeAll(async () => {
  [ann, bob, cat] = await Promise.all([person(id("ann")), person(id("bob")), person(id("cat"))]);
});

type Profile = { uid: string; username: string; displayName: string | null; followersCount: number; followingCount: number };
type Me = { profile: Profile; credits: number; unreadNotifications: number };
type Follow = { following: boolean; followersCount: number; followingCount: number };

const refused = async (name: string, data: unknown, who?: Person) => {
  const { error } = await callCallable(name, data, who?.token);
  return error?.status;
};
const userDoc = async (uid: string) => (await db().doc(userPath(uid)).get()).data();

describe("profiles", () => {
  it("creates the user on their first call, claiming no username (a handle is only what its owner picks)", async () => {
    const me = await call<Me>("me", {}, ann);
    expect(me).toMatchObject({ credits: 0, unreadNotifications: 0, profile: { uid: ann.uid, followersCount: 0, followingCount: 0 } });
    expect(me.profile.username).toBeNull();
    expect((await db().collection("usernames").where("uid", "==", ann.uid).get()).size).toBe(0);
  });

  it.each([
    ["followingFeed", {}],
    ["listNotifications", {}],
    ["markNotificationsRead", {}],
    ["updateProfile", { bio: "first words" }],
  ])("%s, as a user's first call, creates their user document", async (name, data) => {
    const newcomer = await person(id(`first-${name}`));
    expect(await userDoc(newcomer.uid)).toBeUndefined();
    await call(name, data, newcomer);
    expect(await userDoc(newcomer.uid)).toMatchObject({ credits: 0, followersCount: 0 });
    expect((await userDoc(newcomer.uid))!.username).toBeUndefined();
  });

  it("renames: the new name is the profile's on the next read, the old name is free again", async () => {
    expect((await call<Me>("me", {}, bob)).profile.username).toBeNull();
    await call("updateProfile", { username: `first_${run}` }, bob); // the first claim: nothing to free
    const before = (await call<Me>("me", {}, bob)).profile.username!;
    expect(before).toBe(`first_${run}`);
    const profile = await call<Profile>("updateProfile", { username: `Bob_${run}`, displayName: "Bob", bio: "paints" }, bob);
    expect(profile).toMatchObject({ username: `Bob_${run}`, displayName: "Bob" });
    expect((await call<Me>("me", {}, bob)).profile.username).toBe(`Bob_${run}`);
    expect((await get<{ profile: Profile }>("userProfile", { uid: bob.uid })).body.profile.username).toBe(`Bob_${run}`);
    expect((await db().doc(usernamePath(before)).get()).exists).toBe(false);
    expect(
      (
        await db()
          .doc(usernamePath(`bob_${run}`))
          .get()
      ).get("uid"),
    ).toBe(bob.uid);
  });

  it("refuses a taken name in any case, and look-alikes of ASCII, writing nothing", async () => {
    await call("updateProfile", { username: `taken_${run}` }, cat);
    const before = await userDoc(ann.uid);
    expect(await refused("updateProfile", { username: `TAKEN_${run}` }, ann)).toBe("ALREADY_EXISTS");
    expect(await refused("updateProfile", { username: `t\u0430ken_${run}` }, ann)).toBe("INVALID_ARGUMENT"); // Cyrillic а
    expect(await refused("updateProfile", { username: `ｔaken_${run}` }, ann)).toBe("INVALID_ARGUMENT"); // fullwidth
    expect(await userDoc(ann.uid)).toEqual(before);
  });

  it.each([
    ["no field", {}],
    ["a short name", { username: "ab" }],
    ["a long name", { username: "a".repeat(31) }],
    ["a space", { username: "a b c" }],
    ["an http avatar", { avatarUrl: "http://img.test/a.png" }],
    ["a javascript avatar", { avatarUrl: "javascript:alert(1)" }],
    ["a long bio", { bio: "x".repeat(501) }],
    ["a control character", { displayName: "a\u0007b" }],
    ["an unknown field", { credits: 1_000 }],
    ["not an object", "ann"],
  ])("refuses %s with invalid-argument and writes nothing", async (_what, data) => {
    const before = await userDoc(ann.uid);
    expect(await refused("updateProfile", data, ann)).toBe("INVALID_ARGUMENT");
    expect(await userDoc(ann.uid)).toEqual(before);
  });

  it("answers unauthenticated to every people callable without a sign-in", async () => {
    for (const name of [
      "me",
      "updateProfile",
      "followUser",
      "unfollowUser",
      "followingFeed",
      "listNotifications",
      "markNotificationsRead",
      "deleteNotification",
    ])
      expect([name, await refused(name, {})]).toEqual([name, "UNAUTHENTICATED"]);
  });
});

describe("follows", () => {
  it("moves both counts once, however often it is asked, and back", async () => {
    const first = await call<Follow>("followUser", { targetUid: cat.uid }, ann);
    const again = await call<Follow>("followUser", { targetUid: cat.uid }, ann);
    expect(first).toMatchObject({ following: true, followersCount: 1 });
    expect(again).toEqual(first);
    expect((await get<{ profile: Profile }>("userProfile", { uid: cat.uid })).body.profile.followersCount).toBe(1);
    expect((await call<Me>("me", {}, ann)).profile.followingCount).toBe(first.followingCount);
    const off = await call<Follow>("unfollowUser", { targetUid: cat.uid }, ann);
    expect(off).toMatchObject({ following: false, followersCount: 0, followingCount: first.followingCount - 1 });
    expect(await call<Follow>("unfollowUser", { targetUid: cat.uid }, ann)).toEqual(off);
  });

  it("raises one follow notification, never stacked by follow-unfollow-follow, and none for oneself", async () => {
    const dan = await person(id("dan"));
    for (const step of ["followUser", "unfollowUser", "followUser", "unfollowUser", "followUser"])
      await call(step, { targetUid: dan.uid }, bob);
    const list = await call<{ items: Array<{ type: string; actorUid: string; read: boolean }> }>("listNotifications", {}, dan);
    expect(list.items).toEqual([expect.objectContaining({ type: "follow", actorUid: bob.uid, read: false })]);
    expect((await call<Me>("me", {}, dan)).unreadNotifications).toBe(1);
    expect(await refused("followUser", { targetUid: bob.uid }, bob)).toBe("INVALID_ARGUMENT");
  });

  it("refuses an unknown user and bad ids", async () => {
    expect(await refused("followUser", { targetUid: id("nobody") }, ann)).toBe("NOT_FOUND");
    expect(await refused("followUser", { targetUid: "a/b" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await refused("followUser", { targetUid: "" }, ann)).toBe("INVALID_ARGUMENT");
    expect(await refused("followUser", {}, ann)).toBe("INVALID_ARGUMENT");
  });
});

describe("notifications", () => {
  it("marks some, then all, read; deletes one; the unread count follows exactly", async () => {
    const eve = await person(id("eve"));
    const fans = await Promise.all([0, 1, 2].map((i) => person(id(`fan${i}`))));
    for (const fan of fans) await call("followUser", { targetUid: eve.uid }, fan);
    type List = { items: Array<{ id: string; read: boolean }>; nextCursor: string | null };
    const list = await call<List>("listNotifications", {}, eve);
    expect(list.items).toHaveLength(3);
    expect(await call("markNotificationsRead", { ids: [list.items[0]!.id] }, eve)).toEqual({ marked: 1, unreadNotifications: 2 });
    expect((await call<List>("listNotifications", {}, eve)).items.map((i) => i.read)).toEqual([true, false, false]);
    expect(await call("deleteNotification", { id: list.items[1]!.id }, eve)).toEqual({ deleted: true, unreadNotifications: 1 });
    expect(await call("markNotificationsRead", {}, eve)).toEqual({ marked: 1, unreadNotifications: 0 });
    expect((await call<Me>("me", {}, eve)).unreadNotifications).toBe(0);
    expect(await refused("deleteNotification", { id: list.items[1]!.id }, eve)).toBe("NOT_FOUND");
    // Another user's notification is not theirs to delete: the same answer as a missing one.
    expect(await refused("deleteNotification", { id: list.items[0]!.id }, ann)).toBe("NOT_FOUND");
    expect((await db().collection(notificationsPath(eve.uid)).get()).size).toBe(2);
  });

  it("pages with a cursor and refuses tampered cursors and limits", async () => {
    const page = await call<{ items: unknown[]; nextCursor: string | null }>("listNotifications", { limit: 1 }, bob);
    expect(page.items.length).toBeLessThanOrEqual(1);
    for (const data of [
      { limit: 0 },
      { limit: 51 },
      { limit: 2.5 },
      { cursor: "not-a-cursor!" },
      { cursor: Buffer.from('{"t":[1,2]}').toString("base64url") },
    ])
      expect([data, await refused("listNotifications", data, bob)]).toEqual([data, "INVALID_ARGUMENT"]);
  });
});

describe("public reads", () => {
  it("userProfile: 404 for an unknown user, 400 for bad input, never a 500", async () => {
    expect((await get("userProfile", { uid: id("nobody") })).status).toBe(404);
    const queries: Array<Record<string, string | number>> = [
      {},
      { uid: "a/b" },
      { uid: ann.uid, limit: 0 },
      { uid: ann.uid, limit: 51 },
      { uid: ann.uid, cursor: "x!" },
      { uid: ann.uid, other: 1 },
    ];
    for (const query of queries) expect([query, (await get("userProfile", query)).status]).toEqual([query, 400]);
  });

  it("explore: 400 for bad input", async () => {
    const queries: Array<Record<string, string | number>> = [
      { limit: 0 },
      { q: "x".repeat(201) },
      { cursor: "%%%" },
      { cursor: Buffer.from("[1]").toString("base64url") },
    ];
    for (const query of queries) expect([query, (await get("explore", query)).status]).toEqual([query, 400]);
  });
});
