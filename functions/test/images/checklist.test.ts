/**
 * The write-up's manual checklist, run as the apps run it: signed in through the Auth
 * emulator with the Firebase JS SDK, sets written to generationHistory by the app itself
 * (the rules check them) and mirrored by the real triggers, every read through a callable or
 * endpoint of the Functions emulator on the real Redis. Each step reads, writes, and reads
 * again: the second read must show the write.
 */
import { doc, serverTimestamp, setDoc, updateDoc } from "firebase/firestore";
import { createUser } from "../helpers/auth";
import { functionUrl } from "../helpers/emulators";
import { suiteWithTriggers } from "../helpers/firestore";
import { signedInApp, type SignedInApp } from "../helpers/sdk";
import { waitFor } from "../helpers/wait";
import type { Collections, Page, State } from "./harness";

jest.setTimeout(120_000);
suiteWithTriggers();

const run = Date.now().toString(36);
let ann!: SignedInApp; // the artist
let bob!: SignedInApp; // a fan
const annUid = `cl-ann-${run}`;
const bobUid = `cl-bob-${run}`;
const sets = { fox: `cl-fox-${run}`, owl: `cl-owl-${run}`, bat: `cl-bat-${run}` };

type Profile = {
  profile: { username: string; followersCount: number; followingCount: number };
  items: Array<{ historyId: string; creator: { username: string } }>;
};
type Me = { profile: { username: string; followersCount: number; followingCount: number } };
const getJson = async <T>(name: string, query: Record<string, string>) => {
  const response = await fetch(`${functionUrl(name)}?${new URLSearchParams(query)}`);
  return { status: response.status, body: (await response.json()) as T };
};
const ids = (page: Page) => page.items.map((i) => i.historyId);

/** A set as the app writes it: the rules require server timestamps and the author's uid. */
async function generate(app: SignedInApp, uid: string, historyId: string, model: string): Promise<void> {
  await setDoc(doc(app.firestore, `generationHistory/${uid}/items/${historyId}`), {
    prompt: `a ${historyId.split("-")[1]} at night`,
    model,
    images: [{ url: `https://img.test/${historyId}.png`, width: 512, height: 512 }],
    isPublic: true,
    isDeleted: false,
    createdAt: serverTimestamp(),
    updatedAt: serverTimestamp(),
    createdBy: { uid },
  });
}

beforeAll(async () => {
  await Promise.all([createUser(annUid), createUser(bobUid)]);
  [ann, bob] = await Promise.all([signedInApp("checklist-ann", annUid), signedInApp("checklist-bob", bobUid)]);
  await generate(ann, annUid, sets.fox, "flux");
  await generate(ann, annUid, sets.owl, "flux");
  await generate(ann, annUid, sets.bat, "sdxl");
  // One trigger hop: the mirror pipeline makes them public.
  for (const id of Object.values(sets))
    await waitFor(async () => (await getJson("imageDetails", { id })).status === 200, { what: `${id} public`, timeoutMs: 60_000 });
}, 150_000);

afterAll(async () => {
  await ann?.close();
  await bob?.close();
});

it("save to a collection and unsave, then come back: the saved state and the collection are right each time", async () => {
  const { collectionId } = await bob.call<{ collectionId: string }>("createCollection", { name: "Night" });
  const state = () => bob.call<State>("myImageState", { historyId: sets.fox });
  const count = async () =>
    (await bob.call<Collections>("myCollections", {})).collections.find((c) => c.collectionId === collectionId)!.itemCount;
  expect((await state()).collectionIds).toEqual([]);
  await bob.call("addToCollection", { collectionId, historyId: sets.fox });
  expect((await state()).collectionIds).toEqual([collectionId]);
  expect(await count()).toBe(1);
  await bob.call("removeFromCollection", { collectionId, historyId: sets.fox });
  expect((await state()).collectionIds).toEqual([]);
  expect(await count()).toBe(0);
  expect(ids(await bob.call<Page>("collectionItems", { collectionId }))).toEqual([]);
  await bob.call("addToCollection", { collectionId, historyId: sets.fox });
  // Come back: another screen, then the item again.
  await bob.call("likedImages", {});
  expect((await state()).collectionIds).toEqual([collectionId]);
  expect(ids(await bob.call<Page>("collectionItems", { collectionId }))).toEqual([sets.fox]);
});

it("follow and unfollow: both users' counts and the follower's feed", async () => {
  const counts = async () => [
    (await bob.call<Me>("me", {})).profile.followingCount,
    (await ann.call<Me>("me", {})).profile.followersCount,
    (await getJson<Profile>("userProfile", { uid: annUid })).body.profile.followersCount,
  ];
  const feed = async () => ids(await bob.call<Page>("followingFeed", {}));
  expect(await counts()).toEqual([0, 0, 0]);
  expect(await feed()).toEqual([]);
  await bob.call("followUser", { targetUid: annUid });
  expect(await counts()).toEqual([1, 1, 1]);
  expect((await feed()).sort()).toEqual(Object.values(sets).sort());
  await bob.call("unfollowUser", { targetUid: annUid });
  expect(await counts()).toEqual([0, 0, 0]);
  expect(await feed()).toEqual([]);
});

it("like and unlike: the Likes page and the count", async () => {
  const likes = async () => ids(await bob.call<Page>("likedImages", {}));
  const likeCount = async () => (await getJson<{ item: { likeCount: number } }>("imageDetails", { id: sets.owl })).body.item.likeCount;
  expect(await likes()).toEqual([]);
  expect(await likeCount()).toBe(0);
  await bob.call("likeImage", { historyId: sets.owl });
  expect(await likes()).toEqual([sets.owl]);
  expect(await likeCount()).toBe(1);
  await bob.call("likeImage", { historyId: sets.bat });
  expect(await likes()).toEqual([sets.bat, sets.owl]); // newest like first
  await bob.call("unlikeImage", { historyId: sets.owl });
  expect(await likes()).toEqual([sets.bat]);
  expect(await likeCount()).toBe(0);
});

it("delete a set while filtered by model: through deleteSet at once, and as the app writes it within one trigger hop", async () => {
  const byModel = async () => ids(await ann.call<Page>("mySets", { model: "flux" }));
  expect(await byModel()).toEqual([sets.owl, sets.fox]);
  expect(ids(await ann.call<Page>("mySets", { model: "sdxl" }))).toEqual([sets.bat]);
  await ann.call("deleteSet", { historyId: sets.owl });
  expect(await byModel()).toEqual([sets.fox]);
  // The app's own soft delete: a write to generationHistory (the rules allow the owner's).
  await updateDoc(doc(ann.firestore, `generationHistory/${annUid}/items/${sets.bat}`), { isDeleted: true, updatedAt: serverTimestamp() });
  await waitFor(async () => (await ann.call<Page>("mySets", { model: "sdxl" })).items.length === 0, {
    what: "mySets(sdxl) without the deleted set",
    timeoutMs: 30_000,
  });
  await waitFor(async () => !ids(await bob.call<Page>("likedImages", {})).includes(sets.bat), {
    what: "the deleted set out of bob's likes",
    timeoutMs: 30_000,
  });
  expect(ids((await getJson<Page>("userProfile", { uid: annUid })).body)).toEqual([sets.fox]);
});

it("change the username and open the profile: the new name on the profile and on every item", async () => {
  const name = `ann_${run}`;
  await getJson("userProfile", { uid: annUid }); // the profile is cached with the old name
  await ann.call("updateProfile", { username: name });
  const { body } = await getJson<Profile>("userProfile", { uid: annUid });
  expect(body.profile.username).toBe(name);
  expect(body.items.map((i) => i.creator.username)).toEqual([name]);
  expect((await getJson<{ item: { creator: { username: string } } }>("imageDetails", { id: sets.fox })).body.item.creator.username).toBe(
    name,
  );
});
