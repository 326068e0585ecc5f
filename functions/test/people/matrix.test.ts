/**
 * The freshness matrix, generated from the invalidation map: for every (write action, read
 * family) pair that `invalidationTable()` declares, warm the read through its endpoint, make
 * the write through its callable (or the signed webhook), read again through the endpoint
 * (the Functions emulator's cache on the real Redis) and compare with the same read computed
 * straight from Firestore. A pair the map declares without a performer or a reader here fails.
 */
import { Timestamp } from "firebase-admin/firestore";
import { invalidationTable } from "../../src/cache/map";
import { loadFeedPage } from "../../src/feed/load";
import { loadSharedQueue } from "../../src/jams/queue";
import { sourcePath } from "../../src/mirror/paths";
import { loadGeneration, type PublicItem } from "../../src/mirror/public";
import { syncItem } from "../../src/mirror/rebuild";
import { withCreator } from "../../src/people/cards";
import { loadNotifications } from "../../src/people/notifications";
import { exploreWords, loadExplore, loadFollowingFeed, loadMe, loadUserProfile } from "../../src/people/reads";
import { loadCard } from "../../src/people/users";
import { readSelection } from "../../src/signup/refresh";
import { loadComments } from "../../src/images/comments";
import { loadCounts } from "../../src/images/counts";
import { collectionItemsPath, collectionPath, likesPath } from "../../src/images/model";
import { loadEdgePage, loadImageState, loadMyCollections } from "../../src/images/reads";
import { loadMySets, loadSet } from "../../src/images/sets";
import { callCallable } from "../helpers/auth";
import { sourceItem } from "../helpers/fixtures";
import { db, triggersOffDuringSuite } from "../helpers/firestore";
import { call, get, person, purchase, wire, type Person } from "./harness";

jest.setTimeout(120_000);
// The matrix makes every write itself; a trigger re-mirroring an item meanwhile would change
// what Firestore holds between the direct read and the cached one.
triggersOffDuringSuite();

const word = `matrixword${Date.now()}`;
let creator!: Person;
let admin!: Person;
let follower!: Person;
/** The user who made the last write (a follow), whose own reads it changes too. */
let actor!: Person;
let historyId!: string;
let jamId!: string;
/** Images: the follower (the viewer) likes the item, saves it to `mainCollection` and
 *  comments; `liker` is the user who made the last like; `collectionId` the collection the
 *  last collection write was about; `setId` the creator's private set. */
let liker!: Person;
let mainCollection!: string;
let collectionId!: string;
let setId!: string;
let creatorComment!: string;
let viewerComment!: string;
const setModel = `matrix-model-${Date.now()}`;
let entryId!: string;
let n = 0;

const noJoin = async () => undefined;
/** A callable's answer, or its refusal's status (a deleted collection, a deleted set). */
const answerOf = async (name: string, data: unknown, who: Person) => {
  const { result, error } = await callCallable(name, data, who.token);
  return error ? error.status : result;
};
const direct404 = async <T>(read: () => Promise<T>) =>
  read().catch((e: { code?: string }) => (e.code === "not-found" ? "NOT_FOUND" : Promise.reject(e)));
const joinDirect = async (items: PublicItem[]) => Promise.all(items.map(async (i) => withCreator(i, await loadCard(db(), i.uid))));

/** One way to see a family: through its endpoint (cached) and straight from Firestore. */
interface View {
  name: string;
  cached(): Promise<unknown>;
  direct(): Promise<unknown>;
}

const readers: Record<string, () => View[]> = {
  feedPage: () => [
    {
      name: "publicFeed",
      cached: async () => (await get("publicFeed", { sort: "recent", limit: 50 })).body,
      direct: async () => {
        const page = await loadFeedPage(db(), "recent", 50, null);
        return { ...page, items: await joinDirect(page.items) };
      },
    },
  ],
  generation: () => [generationView()],
  userCard: () => [generationView()],
  userProfile: () =>
    [creator, actor].map((p) => ({
      name: `userProfile(${p.uid})`,
      cached: async () => (await get("userProfile", { uid: p.uid })).body,
      direct: async () => {
        const page = await loadUserProfile({ db: db() }, p.uid, 20, null);
        return { ...page, items: await joinDirect(page.items) };
      },
    })),
  me: () => [creator, actor].map((p) => ({ name: `me(${p.uid})`, cached: () => call("me", {}, p), direct: () => loadMe(db(), p.uid) })),
  explore: () => [
    {
      name: "explore",
      cached: async () => (await get("explore", { q: word.toUpperCase() })).body,
      direct: async () => {
        const page = await loadExplore(db(), exploreWords(word), 20, null);
        return { ...page, items: await joinDirect(page.items) };
      },
    },
  ],
  followingFeed: () =>
    [follower, actor].map((p) => ({
      name: `followingFeed(${p.uid})`,
      cached: () => call("followingFeed", {}, p),
      direct: async () => {
        const page = await loadFollowingFeed(db(), p.uid, 20, null);
        return { ...page, items: await joinDirect(page.items) };
      },
    })),
  // The follower's list shows the creator as an actor (the creator follows them in beforeAll).
  notifications: () =>
    [creator, actor, follower].map((p) => ({
      name: `listNotifications(${p.uid})`,
      cached: () => call("listNotifications", {}, p),
      direct: async () => {
        const page = await loadNotifications(db(), p.uid, 20, null);
        return { ...page, items: await Promise.all(page.items.map(async (i) => ({ ...i, actor: await loadCard(db(), i.actorUid) }))) };
      },
    })),
  signupSelection: () => [
    {
      name: "signupImages",
      cached: async () =>
        ((await get<{ images: Array<{ historyId: string }> }>("signupImages", {})).body.images ?? []).map((i) => i.historyId),
      direct: async () => {
        const { historyIds } = await readSelection(db());
        const items = await Promise.all(historyIds.map((id) => loadGeneration(db(), id)));
        return items.filter((i) => i !== null).map((i) => i.historyId);
      },
    },
  ],
  imageDetails: () => [
    {
      name: `imageDetails(${historyId})`,
      cached: async () => (await get("imageDetails", { id: historyId })).body,
      direct: async () => {
        const [item, counts, page] = await Promise.all([
          loadGeneration(db(), historyId),
          loadCounts(db(), historyId),
          loadComments(db(), historyId, null),
        ]);
        const comments = await Promise.all(
          page.comments.map(async ({ commentId, uid, text, likeCount, createdAt }) => ({
            commentId,
            uid,
            username: (await loadCard(db(), uid))?.username ?? null,
            text,
            likeCount,
            createdAt,
          })),
        );
        return { item: { ...(await joinDirect([item!]))[0], ...counts }, comments, nextCursor: page.nextCursor };
      },
    },
  ],
  viewerState: () =>
    [...new Set([follower, liker])].map((p) => ({
      name: `myImageState(${p.uid})`,
      cached: () => call("myImageState", { historyId }, p),
      direct: () => loadImageState(db(), p.uid, historyId),
    })),
  likedImages: () =>
    [...new Set([follower, liker])].map((p) => ({
      name: `likedImages(${p.uid})`,
      cached: () => call("likedImages", {}, p),
      direct: async () => {
        const page = await loadEdgePage(db(), noJoin, likesPath(p.uid), 20, null);
        return { ...page, items: await joinDirect(page.items) };
      },
    })),
  myCollections: () => [
    {
      name: "myCollections",
      cached: () => call("myCollections", {}, follower),
      direct: () => loadMyCollections(db(), noJoin, follower.uid),
    },
  ],
  collectionItems: () =>
    [...new Set([mainCollection, collectionId])].map((c) => ({
      name: `collectionItems(${c})`,
      cached: () => answerOf("collectionItems", { collectionId: c }, follower),
      direct: async () => {
        if (!(await db().doc(collectionPath(follower.uid, c)).get()).exists) return "NOT_FOUND";
        const page = await loadEdgePage(db(), noJoin, collectionItemsPath(follower.uid, c), 20, null);
        return { ...page, items: await joinDirect(page.items) };
      },
    })),
  mySets: () =>
    [{ model: setModel }, {}].map((filter) => ({
      name: `mySets(${JSON.stringify(filter)})`,
      cached: () => call("mySets", filter, creator),
      direct: () => loadMySets(db(), creator.uid, filter, 20, null),
    })),
  set: () => [
    {
      name: `getSet(${setId})`,
      cached: () => answerOf("getSet", { historyId: setId }, creator),
      direct: () => direct404(() => loadSet(db(), creator.uid, setId)),
    },
  ],
  jamQueue: () => [
    {
      name: "jamQueue",
      cached: async () => (await call<{ entries: unknown }>("jamQueue", { jamId }, creator)).entries,
      direct: async () => (await loadSharedQueue(db(), jamId)).entries,
    },
  ],
};

function generationView(): View {
  return {
    name: `publicGeneration(${historyId})`,
    cached: async () => (await get("publicGeneration", { id: historyId })).body,
    direct: async () => ({ item: (await joinDirect([(await loadGeneration(db(), historyId))!]))[0] }),
  };
}

/** A fresh user follows the creator: a first follow, so it raises a notification too. */
async function newFollowerFollows(): Promise<Person> {
  const p = await person(`mx-fan-${++n}-${Date.now()}`);
  await call("followUser", { targetUid: creator.uid }, p);
  return p;
}

/** Each write action, made as an app or the payment provider makes it. `before` runs before
 *  the read is warmed (what the write needs to change something). */
const performers: Record<string, { before?: () => Promise<void>; write: () => Promise<void> }> = {
  profileUpdated: {
    write: async () =>
      void (await call("updateProfile", { displayName: `Creator ${++n}`, username: `mx_${Date.now() % 1e9}_${n}` }, creator)),
  },
  followChanged: {
    before: async () => {
      actor = await person(`mx-actor-${++n}-${Date.now()}`);
      await call("me", {}, actor); // their user document exists, so their profile reads before the follow
    },
    write: async () => void (await call("followUser", { targetUid: creator.uid }, actor)),
  },
  notificationsChanged: {
    before: async () => void (await newFollowerFollows()),
    write: async () => void (await call("markNotificationsRead", {}, creator)),
  },
  creditsChanged: { write: async () => expect(await purchase(`mx-evt-${++n}-${Date.now()}`, creator.uid, 5)).toBe(200) },
  mirrorChanged: {
    write: async () =>
      void (await call("updateAestheticScore", { uid: creator.uid, historyId, score: Math.round(Math.random() * 900) / 100 + 0.5 }, admin)),
  },
  signupSelected: {
    // A new high-scored public item: the refresh selects it.
    // A fresh selection first (so the warm read does not refresh it on demand), then a new
    // high-scored item by a creator of its own (the selection takes a few per creator).
    before: async () => {
      await call("runMaintenanceJob", { job: "refreshSignupImageCache" }, admin);
      await publish(`mx-signup-${++n}-${Date.now()}`, 9.999, `mx-signup-creator-${n}`);
    },
    write: async () => void (await call("runMaintenanceJob", { job: "refreshSignupImageCache" }, admin)),
  },
  coverChanged: {
    // A newer item becomes the main collection's cover; unpublishing it brings back the old one.
    before: async () => {
      const newer = `mx-cover-${++n}-${Date.now()}`;
      await publish(newer, 5, creator.uid, `https://img.test/${newer}.png`);
      await call("addToCollection", { collectionId: mainCollection, historyId: newer }, follower);
      coverItem = newer;
    },
    write: async () => void (await call("deleteSet", { historyId: coverItem }, creator)),
  },
  imageLiked: {
    before: async () => void (liker = await person(`mx-liker-${++n}-${Date.now()}`)),
    write: async () => void (await call("likeImage", { historyId }, liker)),
  },
  commentAdded: { write: async () => void (await call("addComment", { historyId, text: `comment ${++n}` }, follower)) },
  commentDeleted: {
    before: async () => {
      viewerComment = (await call<{ comment: { commentId: string } }>("addComment", { historyId, text: `liked ${++n}` }, creator)).comment
        .commentId;
      await call("likeComment", { historyId, commentId: viewerComment }, follower);
    },
    write: async () => void (await call("deleteComment", { historyId, commentId: viewerComment }, creator)),
  },
  commentLiked: {
    before: async () => void (liker = await person(`mx-cliker-${++n}-${Date.now()}`)),
    write: async () => void (await call("likeComment", { historyId, commentId: creatorComment }, liker)),
  },
  collectionChanged: {
    before: async () => {
      collectionId = (await call<{ collectionId: string }>("createCollection", { name: `doomed ${++n}` }, follower)).collectionId;
      await call("addToCollection", { collectionId, historyId }, follower);
    },
    write: async () => void (await call("deleteCollection", { collectionId }, follower)),
  },
  collectionItemsChanged: {
    before: async () => {
      collectionId = (await call<{ collectionId: string }>("createCollection", { name: `fresh ${++n}` }, follower)).collectionId;
    },
    write: async () => void (await call("addToCollection", { collectionId, historyId }, follower)),
  },
  setsChanged: {
    before: async () => {
      setId = `mx-set-${++n}-${Date.now()}`;
      await publish(setId, 5, creator.uid, undefined, { isPublic: false, model: setModel });
    },
    write: async () => void (await call("deleteSet", { historyId: setId }, creator)),
  },
  jamChanged: { write: async () => void (await call("vote", { jamId, entryId, value: n++ % 2 === 0 ? 1 : -1 }, actor)) },
};

let coverItem = "";

async function publish(
  id: string,
  score: number,
  uid = creator.uid,
  imageUrl?: string,
  fields: Record<string, unknown> = {},
): Promise<void> {
  await db()
    .doc(sourcePath(uid, id))
    .set(
      sourceItem(uid, {
        prompt: `a ${word} over the sea`,
        aestheticScore: score,
        createdAt: Timestamp.now(),
        updatedAt: Timestamp.now(),
        ...(imageUrl ? { images: [{ url: imageUrl }] } : {}),
        ...fields,
      }),
    );
  await syncItem(db(), async () => undefined, uid, id, Date.now());
}

beforeAll(async () => {
  [creator, admin, follower] = await Promise.all([person("mx-creator"), person("mx-admin", true), person("mx-follower")]);
  actor = follower;
  // Start from a known state for these users (other suites never use their ids).
  await call("me", {}, creator);
  historyId = `mx-item-${Date.now()}`;
  await publish(historyId, 8);
  await call("followUser", { targetUid: creator.uid }, follower);
  await call("followUser", { targetUid: follower.uid }, creator);
  ({ jamId } = await call<{ jamId: string }>("createJam", { title: "matrix" }, creator));
  ({ entryId } = await call<{ entryId: string }>("addEntry", { jamId, title: "first" }, creator));
  liker = follower;
  await call("likeImage", { historyId }, follower);
  mainCollection = (await call<{ collectionId: string }>("createCollection", { name: "matrix" }, follower)).collectionId;
  collectionId = mainCollection;
  await call("addToCollection", { collectionId: mainCollection, historyId }, follower);
  creatorComment = (await call<{ comment: { commentId: string } }>("addComment", { historyId, text: "by the creator" }, creator)).comment
    .commentId;
  setId = `mx-set-${Date.now()}`;
  await publish(setId, 5, creator.uid, undefined, { isPublic: false, model: setModel });
});

const pairs = invalidationTable().flatMap((row) => row.reads.map((read) => [row.write, read] as const));

describe("the freshness matrix (generated from the invalidation map)", () => {
  it("covers every declared pair, and every write and read has a performer and a reader", () => {
    expect(pairs.length).toBeGreaterThan(40);
    for (const [write, read] of pairs) expect([write, read, write in performers, read in readers]).toEqual([write, read, true, true]);
  });

  it.each(pairs)("%s -> %s: the next read through the cache equals Firestore", async (write, read) => {
    const perform = performers[write]!;
    await perform.before?.();
    const views = readers[read]!();
    for (const view of views) {
      await view.cached();
      await view.cached(); // warm: the second answer comes from the entry
    }
    const before = await Promise.all(views.map(async (v) => wire(await v.direct())));
    await perform.write();
    const after: unknown[] = [];
    for (const view of views) {
      const direct = wire(await view.direct());
      after.push(direct);
      expect({ view: view.name, seen: wire(await view.cached()) }).toEqual({ view: view.name, seen: direct });
    }
    // Not a vacuous pass: the write changed what the read shows (in one view at least).
    expect(after.some((a, k) => JSON.stringify(a) !== JSON.stringify(before[k]))).toBe(true);
  });
});
