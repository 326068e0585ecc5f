import { Timestamp } from "firebase-admin/firestore";
import { generations, mirrorPath } from "../../src/mirror/paths";
import { selectSignupImages } from "../../src/signup/select";
import { tags } from "../../src/cache/map";
import { signupImageCache } from "../../src/signup/refresh";
import { redisKeys } from "../../src/cache/keys";
import { testRedis } from "../helpers/redis";
import { functionUrl } from "../helpers/emulators";
import { db, freshSuiteWithTriggers } from "../helpers/firestore";
import { fireSchedule } from "../helpers/schedule";
import { waitFor } from "../helpers/wait";

// The signup image cache: selection rules (direct), and end to end through the Functions
// emulator: the scheduled refresh, the HTTP read, and a mirror change dropping an image.
const settings = { count: 5, minScore: 7, perCreator: 2, ttlMs: 24 * 3600_000 };

function mirrorDoc(uid: string, score: number | undefined, withImage = true) {
  return {
    uid,
    prompt: "p",
    model: "m",
    videos: [],
    createdBy: { uid, username: `@${uid}` },
    images: withImage ? [{ url: `https://img.test/${uid}-${score}.png`, thumbnailUrl: "t.png", width: 512 }] : [],
    ...(score === undefined ? {} : { aestheticScore: score }),
    createdAt: Timestamp.now(),
    sourceVersion: 1,
    mirroredAt: Timestamp.now(),
  };
}

async function seed(prefix: string, rows: Array<[string, number | undefined, boolean?]>): Promise<void> {
  await Promise.all(
    rows.map(([uid, score, image], i) =>
      db()
        .doc(mirrorPath(`${prefix}-${i}`))
        .set(mirrorDoc(uid, score, image ?? true)),
    ),
  );
}

async function signupImages(): Promise<{ images: Array<{ historyId: string }>; refreshedAt: string | null }> {
  const response = await fetch(functionUrl("signupImages"));
  expect(response.status).toBe(200);
  return (await response.json()) as { images: Array<{ historyId: string }>; refreshedAt: string | null };
}

describe("signup image cache", () => {
  freshSuiteWithTriggers();

  it("selects the best images above the threshold, with an image, a few per creator", async () => {
    await seed("sel", [
      ["a", 9.9],
      ["a", 9.8],
      ["a", 9.7],
      ["b", 9.5],
      ["c", 6.9],
      ["d", 9.6, false],
      ["e", 8],
      ["f", 7],
      ["g", undefined],
    ]);
    const chosen = (await selectSignupImages(db(), settings)).filter((i) => i.historyId.startsWith("sel-"));
    expect(chosen.map((i) => i.historyId)).toEqual(["sel-0", "sel-1", "sel-3", "sel-6", "sel-7"]);
    expect(chosen[0]).toMatchObject({ uid: "a", url: "https://img.test/a-9.9.png", thumbnailUrl: "t.png", username: "@a" });
  });

  it("is refreshed by its schedule, served over HTTP, and loses an unpublished image at once", async () => {
    await Promise.all((await db().collection(generations).get()).docs.map((d) => d.ref.delete()));
    await seed("live", [
      ["m", 9.1],
      ["n", 9.2],
      ["o", 8.4],
    ]);
    await fireSchedule("refreshSignupImageCache");
    await waitFor(
      async () => ((await db().collection(signupImageCache).doc("current").get()).get("images") as unknown[] | undefined)?.length === 3,
      {
        what: "the scheduled refresh to store three images",
      },
    );
    const before = await signupImages();
    expect(before.images.map((i) => i.historyId)).toEqual(["live-1", "live-0", "live-2"]);
    await db().doc(mirrorPath("live-0")).delete(); // what the mirror does when the item is unpublished
    await waitFor(async () => !(await signupImages()).images.some((i) => i.historyId === "live-0"), {
      what: "live-0 to leave the signup images",
    });
    expect((await signupImages()).images.map((i) => i.historyId)).toEqual(["live-1", "live-2"]);
  });

  it("refreshes on demand when nothing is stored yet", async () => {
    await db().collection(signupImageCache).doc("current").delete();
    await db().collection(signupImageCache).doc("refreshLock").delete();
    await testRedis().incr(redisKeys.tagVersion(tags.signup())); // as any change to the stored images does
    const body = await signupImages();
    expect(body.refreshedAt).toEqual(expect.any(String));
    expect((await db().collection(signupImageCache).doc("current").get()).exists).toBe(true);
  });

  it("rejects other methods", async () => {
    expect((await fetch(functionUrl("signupImages"), { method: "POST" })).status).toBe(405);
  });
});
