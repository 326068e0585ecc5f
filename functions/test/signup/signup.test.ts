import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { Redis } from "@upstash/redis";
import { Timestamp, type DocumentData, type DocumentReference } from "firebase-admin/firestore";
import { Cache } from "../../src/cache/cache";
import { redisKeys } from "../../src/cache/keys";
import { entryKey, families, tags } from "../../src/cache/map";
import { cacheInvalidations } from "../../src/cache/outbox";
import { mirrorPath, sourcePath } from "../../src/mirror/paths";
import { scoreFields } from "../../src/mirror/score";
import type { SignupSettings } from "../../src/signup/config";
import { refreshSignupSelection, signupImageCache } from "../../src/signup/refresh";
import type { SignupImage } from "../../src/signup/select";
import { callCallable, createAdmin, idTokenFor } from "../helpers/auth";
import { functionUrl } from "../helpers/emulators";
import { sourceItem } from "../helpers/fixtures";
import { db, freshSuiteWithTriggers } from "../helpers/firestore";
import { testCache, testRedis } from "../helpers/redis";
import { fireSchedule, fireScheduledJob } from "../helpers/schedule";
import { waitFor } from "../helpers/wait";

// The signup images: the scheduled refresh and the HTTP read through the Functions emulator
// (the selection rules are in select.test.ts), and every change to a shown item travelling the real path:
// source write → onGenerationHistoryWritten → mirror task → mirror write + outbox → tag bump
// (or a direct mirror write → onGenerationWritten) → the next signupImages read.

/** The settings the deployed functions run with (functions/.env). */
const env = parseEnv(readFileSync(join(__dirname, "..", "..", ".env"), "utf8"));
const deployed: SignupSettings = {
  count: Number(env.SIGNUP_IMAGE_COUNT),
  minScore: Number(env.SIGNUP_MIN_SCORE),
  perCreator: Number(env.SIGNUP_PER_CREATOR),
  ttlMs: Number(env.SIGNUP_TTL_HOURS) * 3600_000,
};

/** How long a change may take to reach a read once the mirror has changed (one tag bump after
 *  the commit, or one trigger hop for a direct mirror write): far below the cache TTLs
 *  (generation 300 s, signupSelection 3600 s), so a read served from a stale entry fails. */
const nextRead = { timeoutMs: 10_000, intervalMs: 50 };
/** The mirror pipeline behind the emulator's one-at-a-time triggers (generous under load). */
const pipeline = { timeoutMs: 120_000, intervalMs: 100 };

type Body = { images: SignupImage[]; refreshedAt: string | null };

async function readSignup(): Promise<Body> {
  const response = await fetch(functionUrl("signupImages"));
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}
const shownIds = async () => (await readSignup()).images.map((i) => i.historyId);
const shown = async (id: string) => (await readSignup()).images.find((i) => i.historyId === id);

const mirrorOf = async (id: string) => (await db().doc(mirrorPath(id)).get()).data();
const storedSelection = async () => (await db().collection(signupImageCache).doc("current").get()).data();

/** Writes a public source item (the apps' write) with a score given for its content. */
async function publish(uid: string, id: string, score: number | undefined, fields: Record<string, unknown> = {}): Promise<void> {
  const item = sourceItem(uid, {
    prompt: `prompt of ${id}`,
    images: [{ url: `https://img.test/${id}.png`, width: 512, height: 512 }],
    ...fields,
  });
  await db()
    .doc(sourcePath(uid, id))
    .set({ ...item, ...(score === undefined ? {} : scoreFields(item, score)) });
}

async function mirrorBecomes(id: string, what: string, test: (mirror: DocumentData | undefined) => boolean): Promise<void> {
  await waitFor(async () => test(await mirrorOf(id)), { ...pipeline, what: `the mirror of ${id}: ${what}` });
}

/** Reads until the selection and each shown item sit in Redis, so the next reads are hits: a
 *  change that did not invalidate them would be served stale for minutes. */
async function warm(ids: string[]): Promise<void> {
  const keys = [entryKey(families.signupSelection, {}), ...ids.map((historyId) => entryKey(families.generation, { historyId }))];
  await waitFor(
    async () => {
      const read = await shownIds();
      return ids.every((id) => read.includes(id)) && (await testRedis().exists(...keys)) === keys.length;
    },
    { what: `${ids.join(", ")} shown and cached` },
  );
}

async function signupTagVersion(): Promise<number> {
  return Number(await testRedis().get(redisKeys.tagVersion(tags.signup())));
}

describe("signup images end to end", () => {
  freshSuiteWithTriggers();
  let adminToken: string;
  beforeAll(async () => {
    adminToken = await idTokenFor(await createAdmin("signup-admin"));
  });
  const liveCache = () => testCache();

  it("the schedule, fired as Cloud Scheduler does, stores the ids of the best public scored images and records its run", async () => {
    await publish("u-a", "ref-a1", 9.5);
    await publish("u-a", "ref-a2", 9);
    await publish("u-a", "ref-a3", 8.5);
    await publish("u-a", "ref-a4", 8); // a fourth of u-a: SIGNUP_PER_CREATOR is 3
    await publish("u-b", "ref-b1", 7);
    await publish("u-c", "ref-c1", 6.9);
    await publish("u-f", "ref-f1", undefined, { aestheticScore: 9.7, aestheticScoreFor: "given-for-content-since-edited" }); // a stale score
    await publish("u-g", "ref-g1", 9.6, { images: [] });
    for (const id of ["ref-a1", "ref-a2", "ref-a3", "ref-a4", "ref-b1", "ref-c1", "ref-f1", "ref-g1"])
      await mirrorBecomes(id, "exists", (m) => m !== undefined);
    expect(await mirrorOf("ref-f1")).not.toHaveProperty("aestheticScore");

    const { run, firedAt } = await fireScheduledJob("refreshSignupImageCache");
    expect(run).toMatchObject({ status: "finished", dryRun: false, errorCount: 0, counts: { selected: 4 } });
    const stored = await storedSelection();
    expect(stored).toEqual({ historyIds: ["ref-a1", "ref-a2", "ref-a3", "ref-b1"], refreshedAt: expect.any(Timestamp) });
    expect(stored!.refreshedAt.toMillis()).toBeGreaterThanOrEqual(firedAt - 1000);
  });

  it("signupImages serves the stored selection in its order, each item as the mirror shows it now", async () => {
    const response = await fetch(functionUrl("signupImages"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, no-cache");
    const body = (await response.json()) as Body;
    const image = (id: string, uid: string, score: number) => ({
      historyId: id,
      uid,
      url: `https://img.test/${id}.png`,
      width: 512,
      height: 512,
      aestheticScore: score,
      username: uid,
    });
    expect(body).toEqual({
      images: [image("ref-a1", "u-a", 9.5), image("ref-a2", "u-a", 9), image("ref-a3", "u-a", 8.5), image("ref-b1", "u-b", 7)],
      refreshedAt: (await storedSelection())!.refreshedAt.toDate().toISOString(),
    });
    const again = await fetch(functionUrl("signupImages"), { headers: { "if-none-match": response.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect((await fetch(functionUrl("signupImages"), { method: "POST" })).status).toBe(405);
  });

  it("refreshes on demand when nothing is stored yet", async () => {
    await db().collection(signupImageCache).doc("current").delete();
    await db().collection(signupImageCache).doc("refreshLock").delete();
    await liveCache().invalidate([tags.signup()]); // the cached selection goes with the stored one
    const before = Date.now();
    const body = await readSignup();
    expect(Date.parse(body.refreshedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.images.map((i) => i.historyId)).toEqual(["ref-a1", "ref-a2", "ref-a3", "ref-b1"]);
    expect((await storedSelection())?.historyIds).toEqual(["ref-a1", "ref-a2", "ref-a3", "ref-b1"]);
  });

  describe("a change to a shown item is on the next read after the mirror changes", () => {
    // One creator per item: each test changes its own item and checks the others stay.
    const ids = {
      score: "chg-score",
      unpublish: "chg-unpublish",
      softDelete: "chg-soft-delete",
      hardDelete: "chg-hard-delete",
      username: "chg-username",
      thumbnail: "chg-thumbnail",
      thumbnailer: "chg-thumbnailer",
      handDelete: "chg-hand-delete",
      control: "chg-control",
    };
    const uidOf = (id: string) => `u-${id}`;
    beforeAll(async () => {
      const all = Object.values(ids);
      for (const [i, id] of all.entries()) await publish(uidOf(id), id, 8 + i / 10);
      for (const id of all) await mirrorBecomes(id, "exists", (m) => m !== undefined);
      await refreshSignupSelection(db(), liveCache(), deployed);
      expect((await storedSelection())?.historyIds).toEqual(expect.arrayContaining(all));
    }, 300_000);

    /** Shown and cached before the change, so the read after it must have been invalidated. */
    const beforeChange = async (id: string) => {
      await warm([id, ids.control]);
      expect(await shown(id)).toMatchObject({ historyId: id, uid: uidOf(id) });
    };
    const gone = async (id: string) => {
      const read = await waitFor(
        async () => {
          const now = await shownIds();
          return !now.includes(id) && now;
        },
        { ...nextRead, what: `${id} to leave the signup images` },
      );
      expect(read).toContain(ids.control);
    };

    it("updateAestheticScore below SIGNUP_MIN_SCORE: gone on the very next read; raised again, back", async () => {
      const id = ids.score;
      await beforeChange(id);
      const lowered = await callCallable<{ invalidation: string }>(
        "updateAestheticScore",
        { historyId: id, uid: uidOf(id), score: 3 },
        adminToken,
      );
      expect(lowered.result).toMatchObject({ invalidation: "confirmed", mirrored: true });
      expect((await mirrorOf(id))?.aestheticScore).toBe(3);
      // The callable answers once the invalidation is confirmed: no waiting.
      const read = await shownIds();
      expect(read).not.toContain(id);
      expect(read).toContain(ids.control);
      // The selection holds ids only: the same stored selection shows it again once it qualifies.
      const raised = await callCallable("updateAestheticScore", { historyId: id, uid: uidOf(id), score: 9.9 }, adminToken);
      expect(raised.result).toMatchObject({ invalidation: "confirmed" });
      expect(await shown(id)).toMatchObject({ historyId: id, aestheticScore: 9.9 });
    });

    it.each([
      ["the owner unpublishes it (isPublic false)", ids.unpublish, (ref: DocumentReference) => ref.update({ isPublic: false })],
      ["the owner deletes it softly (isDeleted true)", ids.softDelete, (ref: DocumentReference) => ref.update({ isDeleted: true })],
      ["the source item is deleted", ids.hardDelete, (ref: DocumentReference) => ref.delete()],
    ])("%s", async (_name, id, change) => {
      await beforeChange(id);
      await change(db().doc(sourcePath(uidOf(id), id)));
      await mirrorBecomes(id, "removed", (m) => m === undefined);
      await gone(id);
    });

    it("the creator's username changes in the source", async () => {
      const id = ids.username;
      await beforeChange(id);
      expect((await shown(id))?.username).toBe(uidOf(id));
      await db()
        .doc(sourcePath(uidOf(id), id))
        .update({ "createdBy.username": "renamed" });
      await mirrorBecomes(id, "new username", (m) => m?.createdBy?.username === "renamed");
      await waitFor(async () => (await shown(id))?.username === "renamed", { ...nextRead, what: "the new username on the signup page" });
    });

    it("the source gets a thumbnail for its image (the score stays: same content)", async () => {
      const id = ids.thumbnail;
      await beforeChange(id);
      expect(await shown(id)).not.toHaveProperty("thumbnailUrl");
      const thumbnailUrl = `https://img.test/${id}-thumb.webp`;
      await db()
        .doc(sourcePath(uidOf(id), id))
        .update({ images: [{ url: `https://img.test/${id}.png`, width: 512, height: 512, thumbnailUrl }] });
      await mirrorBecomes(id, "new thumbnail", (m) => m?.images?.[0]?.thumbnailUrl === thumbnailUrl);
      const image = await waitFor(
        async () => {
          const now = await shown(id);
          return now?.thumbnailUrl === thumbnailUrl && now;
        },
        { ...nextRead, what: "the source's thumbnail on the signup page" },
      );
      expect(image.aestheticScore).toBe((await mirrorOf(id))?.aestheticScore);
    });

    it("a thumbnailer writes a thumbnail onto the mirror directly (onGenerationWritten)", async () => {
      const id = ids.thumbnailer;
      await beforeChange(id);
      const before = (await mirrorOf(id))!;
      const thumbnailUrl = `https://img.test/${id}-by-thumbnailer.webp`;
      // What an image pipeline does: it never stamps mirroredAt, which only Fresco's writes do.
      await db()
        .doc(mirrorPath(id))
        .update({ images: [{ ...before.images[0], thumbnailUrl }] });
      expect((await mirrorOf(id))!.mirroredAt).toEqual(before.mirroredAt);
      await waitFor(async () => (await shown(id))?.thumbnailUrl === thumbnailUrl, {
        ...nextRead,
        what: "the thumbnailer's thumbnail on the signup page",
      });
    });

    it("someone deletes the mirror document by hand, outside the pipeline (onGenerationWritten)", async () => {
      const id = ids.handDelete;
      await beforeChange(id);
      await db().doc(mirrorPath(id)).delete();
      await gone(id);
    });
  });

  describe("refreshSignupSelection", () => {
    it("re-reads the chosen items when it writes: one unpublished or scored down after the selection is not written back", async () => {
      await publish("u-rc-keep", "rc-keep", 9.1);
      await publish("u-rc-unpub", "rc-unpub", 9.2);
      await publish("u-rc-low", "rc-low", 9.3);
      for (const id of ["rc-keep", "rc-unpub", "rc-low"]) await mirrorBecomes(id, "exists", (m) => m !== undefined);
      const versionBefore = await signupTagVersion();
      let chosen: string[] = [];
      const kept = await refreshSignupSelection(db(), liveCache(), deployed, Date.now(), {
        afterSelect: async (historyIds) => {
          chosen = historyIds;
          // Between the selection's query and its write: the owner unpublishes one, an admin scores another down.
          await db().doc(sourcePath("u-rc-unpub", "rc-unpub")).update({ isPublic: false });
          const call = await callCallable("updateAestheticScore", { historyId: "rc-low", uid: "u-rc-low", score: 2 }, adminToken);
          expect(call.result).toMatchObject({ mirrored: true });
          await mirrorBecomes("rc-unpub", "removed", (m) => m === undefined);
        },
      });
      expect(chosen).toEqual(expect.arrayContaining(["rc-keep", "rc-unpub", "rc-low"]));
      expect(kept).toContain("rc-keep");
      expect(kept).not.toContain("rc-unpub");
      expect(kept).not.toContain("rc-low");
      expect(kept).toEqual(chosen.filter((id) => id !== "rc-unpub" && id !== "rc-low"));
      expect((await storedSelection())?.historyIds).toEqual(kept);
      // Its invalidation went through the outbox and was flushed.
      expect(await signupTagVersion()).toBeGreaterThan(versionBefore);
      expect((await db().collection(cacheInvalidations).where("tags", "array-contains", tags.signup()).get()).size).toBe(0);
      const read = await shownIds();
      expect(read).toContain("rc-keep");
      expect(read).not.toContain("rc-unpub");
    });

    it("records its tags in the outbox in the write's transaction: when Redis cannot confirm, the entry stays and a replay bumps them", async () => {
      await publish("u-ob", "ob-new", 9.99);
      await mirrorBecomes("ob-new", "exists", (m) => m !== undefined);
      await warm([]);
      expect(await shownIds()).not.toContain("ob-new");
      const versionBefore = await signupTagVersion();

      // A cache whose Redis refuses every connection: the bump after the commit fails.
      const down = new Cache({ redis: new Redis({ url: "http://127.0.0.1:1", token: "unreachable", retry: false }), db: db() });
      const now = Date.now();
      const kept = await refreshSignupSelection(db(), down, deployed, now);
      expect(kept[0]).toBe("ob-new");
      const stored = await storedSelection();
      expect(stored).toEqual({ historyIds: kept, refreshedAt: Timestamp.fromMillis(now) });
      const entries = await db().collection(cacheInvalidations).where("tags", "array-contains", tags.signup()).get();
      expect(entries.docs.map((d) => ({ id: d.id, ...d.data() }))).toEqual([
        {
          id: expect.stringMatching(/^signup-/),
          tags: [tags.signup()],
          createdAt: Timestamp.fromMillis(now), // the instant of the selection it belongs to
          attempts: 1,
          lastError: expect.any(String),
        },
      ]);
      expect(await signupTagVersion()).toBe(versionBefore);

      // The scheduled replay (every minute in production and under npm start) bumps the tag.
      await fireSchedule("replayCacheInvalidations");
      await waitFor(async () => (await db().collection(cacheInvalidations).doc(entries.docs[0]!.id).get()).exists === false, {
        timeoutMs: 30_000,
        what: "the replay to clear the signup outbox entry",
      });
      expect(await signupTagVersion()).toBeGreaterThan(versionBefore);
      await waitFor(async () => (await shownIds())[0] === "ob-new", { ...nextRead, what: "the new selection on the signup page" });
    });
  });
});
