/**
 * The people reads in-process on the real emulator and Redis: explore's word matching and
 * paging, the following feed over more creators than one `in` query takes, the join of the
 * current name into every item (a rename writes no item), a removed invalidation caught,
 * and the owner's SDK listeners hearing a follow within a second.
 */
import { doc, onSnapshot } from "firebase/firestore";
import { Timestamp } from "firebase-admin/firestore";
import { generations } from "../../src/mirror/paths";
import { promptWords } from "../../src/mirror/words";
import { withCreator } from "../../src/people/cards";
import { followingPath, userPath } from "../../src/people/model";
import { updateProfile } from "../../src/people/profile";
import { explore, followingFeed, loadFollowingFeed } from "../../src/people/reads";
import { ensureUser, loadCard, type PeopleDeps } from "../../src/people/users";
import { mirrorDoc } from "../helpers/fixtures";
import { db } from "../helpers/firestore";
import { testCache } from "../helpers/redis";
import { signedInApp } from "../helpers/sdk";
import { createUser } from "../helpers/auth";
import { call, person } from "./harness";

jest.setTimeout(60_000);
const run = Date.now().toString(36);
const deps = (cache = testCache()): PeopleDeps => ({ db: db(), cache });

let clock = Date.now() - 3_600_000;
/** A public item written straight to the mirror, newer than the one before. */
async function item(uid: string, id: string, prompt: string): Promise<void> {
  await db()
    .doc(`${generations}/${id}`)
    .set({
      ...mirrorDoc(uid, 5),
      historyId: id,
      prompt,
      promptWords: promptWords(prompt),
      createdAt: Timestamp.fromMillis((clock += 1000)),
    });
}

describe("explore", () => {
  const word = `zq${run}`;
  beforeAll(async () => {
    await item(`ex-a-${run}`, `ex-1-${run}`, `A Café by the ${word} Sea`);
    await item(`ex-a-${run}`, `ex-2-${run}`, `the ${word} mountains`);
    await item(`ex-b-${run}`, `ex-3-${run}`, `cafe ${word}, at NIGHT`);
    await item(`ex-b-${run}`, `ex-4-${run}`, `nothing to see`);
  });
  const ids = (page: { items: Array<{ historyId: string }> }) => page.items.map((i) => i.historyId);

  it("matches every word, whatever the case and accents, newest first", async () => {
    expect(ids(await explore(deps(), `${word.toUpperCase()} CAFÉ`, 20, undefined))).toEqual([`ex-3-${run}`, `ex-1-${run}`]);
    expect(ids(await explore(deps(), `cafe ${word} night`, 20, undefined))).toEqual([`ex-3-${run}`]);
    expect(ids(await explore(deps(), `${word} absent`, 20, undefined))).toEqual([]);
    expect(ids(await explore(deps(), word, 20, undefined))).toEqual([`ex-3-${run}`, `ex-2-${run}`, `ex-1-${run}`]);
  });

  it("pages without overlap or gap", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const answer = await explore(deps(), word, 1, cursor);
      seen.push(...ids(answer));
      if (!answer.nextCursor) break;
      cursor = answer.nextCursor;
    }
    expect(seen).toEqual([`ex-3-${run}`, `ex-2-${run}`, `ex-1-${run}`]);
  });
});

describe("followingFeed", () => {
  it("merges more creators than one `in` query takes, newest first, in pages", async () => {
    const viewer = `ff-viewer-${run}`;
    await ensureUser(deps(), viewer);
    const creators = Array.from({ length: 35 }, (_, i) => `ff-c${i}-${run}`);
    for (const [i, c] of creators.entries()) {
      await db().doc(followingPath(viewer, c)).set({ at: Timestamp.now() });
      await item(c, `ff-${i}-${run}`, "followed work");
    }
    await item(`ff-stranger-${run}`, `ff-stranger-${run}`, "not followed");
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const answer = await followingFeed(deps(), viewer, 10, cursor);
      seen.push(...answer.items.map((i) => i.historyId));
      if (!answer.nextCursor) break;
      cursor = answer.nextCursor;
    }
    expect(seen).toEqual(creators.map((_, i) => `ff-${i}-${run}`).reverse());
    expect((await loadFollowingFeed(db(), `ff-nobody-${run}`, 10, null)).items).toEqual([]);
  });
});

describe("names shown with items", () => {
  it("a rename rewrites no item, and the next read of any page joins the new name", async () => {
    const uid = `nm-${run}`;
    await ensureUser(deps(), uid);
    for (let i = 0; i < 20; i++) await item(uid, `nm-${i}-${run}`, "a rename test");
    const before = (await db().collection(generations).where("uid", "==", uid).get()).docs.map((d) => d.updateTime.toMillis());
    const reader = deps();
    expect((await explore(reader, "rename test", 5, undefined)).items[0]!.creator.username).not.toBe(`renamed_${run}`);
    await updateProfile(deps(), uid, { username: `renamed_${run}`, avatarUrl: "https://img.test/new.png" });
    const page = await explore(reader, "rename test", 5, undefined);
    expect(page.items[0]).toMatchObject({
      creator: { uid, username: `renamed_${run}`, avatarUrl: "https://img.test/new.png" },
      createdBy: { username: `renamed_${run}`, photoURL: "https://img.test/new.png" },
    });
    const after = (await db().collection(generations).where("uid", "==", uid).get()).docs.map((d) => d.updateTime.toMillis());
    expect(after).toEqual(before);
  });

  it("with the card tag left out of the rename's invalidation, the next read is stale: the matrix would fail", async () => {
    const uid = `nm-off-${run}`;
    await ensureUser(deps(), uid);
    await item(uid, `nm-off-${run}`, "stale on purpose");
    const reader = deps();
    const read = async () => (await explore(reader, "stale on purpose", 5, undefined)).items[0]!.creator.username;
    const old = await read();
    // The writer's cache drops the `card:` tags from every bump: one invalidation disabled.
    const writerCache = testCache();
    const bump = writerCache.bump.bind(writerCache);
    writerCache.bump = (tags) => bump(tags.filter((t) => !t.startsWith("card:")));
    await updateProfile(deps(writerCache), uid, { username: `fresh_${run}` });
    const truth = withCreator({ historyId: "x", uid }, await loadCard(db(), uid)).creator.username;
    expect(truth).toBe(`fresh_${run}`);
    expect(await read()).toBe(old); // stale: what the matrix compares would differ
    // And with every tag, the same rename is fresh on the next read.
    await updateProfile(deps(), uid, { username: `fresher_${run}` });
    expect(await read()).toBe(`fresher_${run}`);
  });
});

describe("the owner's listeners", () => {
  it("hear a follow (the unread count and the notification) within a second of the callable", async () => {
    const ownerUid = `ls-owner-${run}`;
    await createUser(ownerUid);
    await ensureUser(deps(), ownerUid);
    const fan = await person(`ls-fan-${run}`);
    const app = await signedInApp(`listener-${run}`, ownerUid);
    let unread = 0;
    let heardAt = 0;
    const stop = onSnapshot(doc(app.firestore, userPath(ownerUid)), (snap) => {
      unread = (snap.get("unreadNotifications") as number) ?? 0;
      if (unread === 1 && !heardAt) heardAt = Date.now();
    });
    try {
      await new Promise((r) => setTimeout(r, 500)); // the listener's first snapshot
      await call("followUser", { targetUid: ownerUid }, fan);
      const returnedAt = Date.now();
      const deadline = returnedAt + 1000;
      while (!heardAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(heardAt).toBeGreaterThan(0);
      expect(heardAt - returnedAt).toBeLessThan(1000);
      const list = await app.call<{ items: Array<{ actorUid: string }> }>("listNotifications", {});
      expect(list.items.map((i) => i.actorUid)).toEqual([fan.uid]);
    } finally {
      stop();
      await app.close();
    }
  });
});
