/**
 * Fresco started on the existing platform's data (test/adoption/old-platform.ts): every public
 * read shows the names, pictures, scores and items the old mirror showed, on day one before
 * anything ran, after the old queue's tasks ran, after other users liked, commented and
 * followed, and after `npm run migrate` (its dry run first, then the run, then a second run
 * that changes nothing, then a resumed run); a content edit still takes an old score off.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Timestamp } from "firebase-admin/firestore";
import { maintenanceCursors } from "../../src/maintenance/cursors";
import { mirrorPath, mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { userPath } from "../../src/people/model";
import { clearFirestore, db, setTriggers, triggersLive } from "../helpers/firestore";
import { tags } from "../../src/cache/map";
import { testCache } from "../helpers/redis";
import { fireSchedule } from "../helpers/schedule";
import { waitFor } from "../helpers/wait";
import { call, get, person, type Person } from "../people/harness";
import { contentFingerprint } from "../../src/mirror/score";
import {
  imageUrl,
  oldItems,
  oldMirror,
  oldSource,
  oldUsers,
  pipelineThumb,
  publicOldItems,
  writeOldPlatform,
  type OldItem,
} from "./old-platform";

jest.setTimeout(120_000);

interface Shown {
  username: string | null;
  photoURL: string | null;
  score: number | null;
  url: string;
  thumbnailUrl: string | null;
}
type Item = { historyId: string; createdBy?: { username?: string; photoURL?: string }; aestheticScore?: number; images: Shown[] };
type Profile = { username: string | null; displayName: string | null; avatarUrl: string | null };

const ours = (id: string) => id.startsWith("op-");
/** The old users with a public item (the others have no profile until they have a user document). */
const creators = () => oldUsers.filter((u) => publicOldItems.some((i) => i.uid === u.uid));
const shownOf = (item: Item): Shown => ({
  username: item.createdBy?.username ?? null,
  photoURL: item.createdBy?.photoURL ?? null,
  score: item.aestheticScore ?? null,
  url: item.images[0]!.url,
  thumbnailUrl: item.images[0]!.thumbnailUrl ?? null,
});

/** What the public reads show of the old platform's items and creators now. */
async function publicView() {
  const items: Record<string, Shown> = {};
  for (const { id } of publicOldItems) {
    const { status, body } = await get<{ item: Item }>("publicGeneration", { id });
    expect([id, status]).toEqual([id, 200]);
    items[id] = shownOf(body.item);
  }
  const feed = async (sort: string) =>
    (await get<{ items: Item[] }>("publicFeed", { sort, limit: 50 })).body.items.map((i) => i.historyId).filter(ours);
  const profiles: Record<string, Profile & { items: string[] }> = {};
  for (const { uid } of creators()) {
    const { status, body } = await get<{ profile: Profile; items: Item[] }>("userProfile", { uid });
    expect([uid, status]).toEqual([uid, 200]);
    const { username, displayName, avatarUrl } = body.profile;
    profiles[uid] = { username, displayName, avatarUrl, items: body.items.map((i) => i.historyId) };
  }
  const signup = (await get<{ images: Array<{ historyId: string; username?: string }> }>("signupImages", {})).body.images
    .filter((i) => ours(i.historyId))
    .map((i) => [i.historyId, i.username ?? null]);
  return { items, recent: await feed("recent"), byScore: await feed("score"), profiles, signup };
}

/** The same, as the old mirror showed it (and, for profiles, as the decision says: a creator
 *  without a handle is named and pictured as her newest public item, else as her Auth account). */
function oldView() {
  const newestFirst = (a: OldItem, b: OldItem) => b.at - a.at;
  const items = Object.fromEntries(
    publicOldItems.map((i) => [
      i.id,
      {
        username: i.username,
        photoURL: i.photoURL ?? null,
        score: i.score ?? null,
        url: imageUrl(i),
        thumbnailUrl: pipelineThumb(i),
      },
    ]),
  );
  const scored = publicOldItems.filter((i) => i.score !== undefined).sort((a, b) => b.score! - a.score!);
  const profiles = Object.fromEntries(
    creators().map((u) => {
      const theirs = publicOldItems.filter((i) => i.uid === u.uid).sort(newestFirst);
      const newest = theirs[0];
      return [
        u.uid,
        {
          username: null,
          displayName: newest ? newest.username : (u.displayName ?? null),
          avatarUrl: newest ? (newest.photoURL ?? null) : (u.photoURL ?? null),
          items: theirs.map((i) => i.id),
        },
      ];
    }),
  );
  return {
    items,
    recent: [...publicOldItems].sort(newestFirst).map((i) => i.id),
    byScore: scored.map((i) => i.id),
    profiles,
    signup: scored.filter((i) => i.score! >= 7).map((i) => [i.id, i.username]),
  };
}

const functionsDir = join(__dirname, "..", "..");
/** `npm run migrate` (the tool itself, with this lane's emulators and Redis); its output is
 *  kept in test-results/ for the record. */
async function migrate(record: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(functionsDir, "node_modules", ".bin", "tsx"),
    [join(functionsDir, "tools", "mirror", "rebuild.ts"), "--migrate", ...args],
    { cwd: functionsDir, env: process.env, timeout: 90_000 },
  );
  mkdirSync(join(functionsDir, "test-results"), { recursive: true });
  writeFileSync(join(functionsDir, "test-results", `migrate-${record}.txt`), stdout);
  return stdout;
}

/** The `total` row of the last summary table in a run's output, by column. */
function totals(output: string): Record<string, number> {
  const lines = output.split("\n");
  const row = lines.findLastIndex((l) => l.startsWith("total"));
  const header = lines[row - 3]!.trim().split(/\s+/);
  const values = lines[row]!.trim().split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(header.map((k, i) => [k, values[i]!]));
}

const sourceOf = async (item: string, uid = oldItems.find((i) => i.id === item)!.uid) =>
  (await db().doc(sourcePath(uid, item)).get()).data()!;

describe("Fresco on the existing platform", () => {
  let fan!: Person;
  beforeAll(async () => {
    await clearFirestore();
    // Nothing cached by the suites before (the clear bumped no tag): a platform Fresco never served.
    await testCache().invalidate([tags.feed(), tags.signup()]);
    await writeOldPlatform();
    fan = await person("op-fan");
    await setTriggers("on");
    await triggersLive();
  }, 180_000);

  it("day one, before anything ran: every read shows what the old mirror showed", async () => {
    expect(await publicView()).toEqual(oldView());
  });

  it("the old queue's tasks run like new ones; scores are adopted, the pipeline's thumbnails kept", async () => {
    await fireSchedule("sweepMirrorQueue");
    const old = oldItems.filter((i) => i.task).map((i) => `old-${i.id}`);
    await waitFor(
      async () => (await Promise.all(old.map((id) => db().collection(mirrorQueue).doc(id).get()))).every((t) => t.get("status") === "done"),
      {
        timeoutMs: 60_000,
        what: "the old tasks to be done",
      },
    );
    expect(typeof (await sourceOf("op-ann-1")).aestheticScoreFor).toBe("string"); // adopted where met
    expect((await sourceOf("op-sam1-1")).aestheticScoreFor).toBeUndefined(); // not met yet
    const mirror = (await db().doc(mirrorPath("op-ann-1")).get()).data()!;
    expect(mirror).toMatchObject({ aestheticScore: 8.5, sourceVersion: expect.any(Number) });
    expect([...mirror.promptWords].sort()).toEqual(["at", "dawn", "harbour"]);
    expect((await db().doc(mirrorPath("op-ann-3")).get()).exists).toBe(false);
    expect(await publicView()).toEqual(oldView());
  });

  it("likes, comments and follows by others make user documents that claim no handle, and change no name or picture", async () => {
    await call("likeImage", { historyId: "op-ann-1" }, fan);
    await call("likeImage", { historyId: "op-sam1-1" }, fan);
    await call("addComment", { historyId: "op-ren-2", text: "lovely" }, fan);
    await call("followUser", { targetUid: "op-ann" }, fan);
    await call("followUser", { targetUid: "op-odd" }, fan);
    // A user with no public item has no profile until she has a user document; then her Auth
    // account names her (never a made-up name).
    expect((await get("userProfile", { uid: "op-nora" })).status).toBe(404);
    await call("followUser", { targetUid: "op-nora" }, fan);
    expect((await get<{ profile: Profile; items: Item[] }>("userProfile", { uid: "op-nora" })).body).toMatchObject({
      profile: { username: null, displayName: "Nora Auth", avatarUrl: "https://old.test/nora.png" },
      items: [],
    });
    for (const uid of ["op-ann", "op-odd"]) {
      const user = (await db().doc(userPath(uid)).get()).data();
      expect(user).toMatchObject({ followersCount: 1 });
      expect(user!.username).toBeUndefined();
      expect((await db().collection("usernames").where("uid", "==", uid).get()).size).toBe(0);
    }
    expect(await publicView()).toEqual(oldView());
  });

  it("npm run migrate: prints what it would change, changes it, and a second run changes nothing", async () => {
    const dry = totals(await migrate("dry-run", "--dry-run"));
    expect(dry).toMatchObject({ adopted: 3, errors: 0 }); // sam1-1, ren-2, odd-1: never met by a task
    expect(dry.written).toBeGreaterThanOrEqual(6); // the old mirror documents no task rewrote
    expect((await sourceOf("op-sam1-1")).aestheticScoreFor).toBeUndefined(); // the dry run wrote nothing
    expect(await publicView()).toEqual(oldView());

    const output = await migrate("run");
    expect(output).toContain("would change");
    expect(totals(output)).toMatchObject({ adopted: 3, written: dry.written, errors: 0 });
    for (const id of ["op-sam1-1", "op-ren-2", "op-odd-1"]) expect(typeof (await sourceOf(id)).aestheticScoreFor).toBe("string");
    const explored = await get<{ items: Item[] }>("explore", { q: "desert moon" });
    expect(explored.body.items.map((i) => i.historyId)).toEqual(["op-sam1-1"]); // promptWords filled
    expect(await publicView()).toEqual(oldView());

    const again = totals(await migrate("second-run"));
    expect(again).toMatchObject({ written: 0, removed: 0, adopted: 0, errors: 0 });
    expect((await db().collection(maintenanceCursors).doc("mirror-rebuild-all").get()).exists).toBe(false);
  });

  it("an interrupted migration resumes from its checkpoint in Firestore, on any machine", async () => {
    const checkpoint = {
      version: 1,
      uid: null,
      cursor: { phase: "sources", lastPath: sourcePath("op-bob", "op-bob-1") },
      counts: { sources: { scanned: 4, written: 1, removed: 0, unchanged: 3, invalid: 0, errors: 0, adopted: 1 }, mirror: {} },
      runs: 1,
      startedAt: new Date().toISOString(),
      savedAt: new Date().toISOString(),
    };
    await db().collection(maintenanceCursors).doc("mirror-rebuild-all").set({ checkpoint });
    const output = await migrate("resumed");
    expect(output).toContain(
      `resuming from ${maintenanceCursors}/mirror-rebuild-all: phase sources after ${sourcePath("op-bob", "op-bob-1")}`,
    );
    expect(totals(output)).toMatchObject({ written: 1, adopted: 1, errors: 0 }); // the earlier run's counts, nothing new
    expect((await db().collection(maintenanceCursors).doc("mirror-rebuild-all").get()).exists).toBe(false);
    expect(await publicView()).toEqual(oldView());
  });

  it.each(["op-ann-1", "op-ren-2"])("a content edit still takes the old score of %s off", async (id) => {
    const item = oldItems.find((i) => i.id === id)!;
    await db()
      .doc(sourcePath(item.uid, id))
      .update({ prompt: `${item.prompt}, repainted`, updatedAt: Timestamp.now() });
    await waitFor(async () => (await get<{ item: Item }>("publicGeneration", { id })).body.item.aestheticScore === undefined, {
      timeoutMs: 30_000,
      what: `${id}'s score to come off`,
    });
    expect((await sourceOf(id)).aestheticScore).toBe(item.score); // kept on the source, for the admin to rescore
  });

  it("a score without a fingerprint is never adopted for content it was not shown with", async () => {
    // The old mirror shows prompt A with the score; the owner's edit to prompt B reached the
    // source, its old task never ran. A second item was scored, then never mirrored.
    const edited: OldItem = { uid: "op-eve", id: "op-eve-1", prompt: "prompt A", username: "eve", score: 9.5, at: 11 };
    const unseen: OldItem = { uid: "op-eve", id: "op-eve-2", prompt: "never shown", username: "eve", score: 9.9, at: 12 };
    await db().doc(mirrorPath(edited.id)).set(oldMirror(edited));
    await db()
      .doc(sourcePath(edited.uid, edited.id))
      .set({ ...oldSource(edited), prompt: "prompt B, the owner's own" });
    await db().doc(sourcePath(unseen.uid, unseen.id)).set(oldSource(unseen));
    for (const [item, prompt] of [
      [edited, "prompt B, the owner's own"],
      [unseen, "never shown"],
    ] as const) {
      const shown = await waitFor(
        async () => {
          const { status, body } = await get<{ item: Item & { prompt: string } }>("publicGeneration", { id: item.id });
          return status === 200 && body.item.prompt === prompt ? body.item : undefined;
        },
        { timeoutMs: 30_000, what: `${item.id} mirrored` },
      );
      expect(shown.aestheticScore).toBeUndefined();
      expect((await sourceOf(item.id, item.uid)).aestheticScore).toBe(item.score); // kept for the admin
    }
    expect((await sourceOf(edited.id, edited.uid)).aestheticScoreFor).toBe(contentFingerprint(oldMirror(edited)));
  });
});
