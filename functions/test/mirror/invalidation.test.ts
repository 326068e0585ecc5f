import { Timestamp } from "firebase-admin/firestore";
import { families } from "../../src/cache/map";
import { mirrorPath, sourcePath } from "../../src/mirror/paths";
import { functionUrl } from "../helpers/emulators";
import { sourceItem } from "../helpers/fixtures";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { waitFor } from "../helpers/wait";

// The mirror processor's own invalidation, end to end: a user's direct source write (no
// callable) reaches the cached public reads within one trigger hop. The feed and item
// entries live 60 s and 300 s; every wait here is at most `hopMs`, far shorter, so a read
// can only show the change if the processor bumped the tags.
const hopMs = 8_000;
expect(families.feedPage.ttlSeconds * 1000).toBeGreaterThan(5 * hopMs);
expect(families.generation.ttlSeconds * 1000).toBeGreaterThan(5 * hopMs);

type Item = { historyId: string; prompt: string };
const feed = async () => ((await (await fetch(`${functionUrl("publicFeed")}?sort=recent&limit=50`)).json()) as { items: Item[] }).items;
const item = async (id: string) => {
  const response = await fetch(`${functionUrl("publicGeneration")}?id=${id}`);
  return response.status === 404 ? null : ((await response.json()) as { item: Item }).item;
};

/** Warms both reads, applies `write`, then waits (at most one hop) until the mirror changed
 *  and both cached reads agree with `expected`. */
async function throughTheCache(id: string, write: () => Promise<unknown>, expected: string | null): Promise<void> {
  await feed();
  await item(id);
  const started = Date.now();
  await write();
  await waitFor(async () => ((await db().doc(mirrorPath(id)).get()).get("prompt") ?? null) === expected, {
    timeoutMs: hopMs,
    what: `the mirror of ${id}`,
  });
  await waitFor(async () => ((await item(id))?.prompt ?? null) === expected, { timeoutMs: hopMs, what: `publicGeneration of ${id}` });
  await waitFor(async () => ((await feed()).find((i) => i.historyId === id)?.prompt ?? null) === expected, {
    timeoutMs: hopMs,
    what: `publicFeed with ${id}`,
  });
  expect(Date.now() - started).toBeLessThan(2 * hopMs);
}

describe("the mirror processor invalidates the public reads", () => {
  // Its items are the newest of the feed (created now), whatever earlier suites left.
  suiteWithTriggers();

  it("a direct publish, edit, unpublish and republish each show in publicFeed and publicGeneration within one hop", async () => {
    const ref = db().doc(sourcePath("ann", "inv-1"));
    await throughTheCache(
      "inv-1",
      () => ref.set(sourceItem("ann", { prompt: "first", createdAt: Timestamp.now(), updatedAt: Timestamp.now() })),
      "first",
    );
    await throughTheCache("inv-1", () => ref.update({ prompt: "edited", updatedAt: Timestamp.now() }), "edited");
    await throughTheCache("inv-1", () => ref.update({ isPublic: false, updatedAt: Timestamp.now() }), null);
    await throughTheCache("inv-1", () => ref.update({ isPublic: true, updatedAt: Timestamp.now() }), "edited");
    await throughTheCache("inv-1", () => ref.delete(), null);
  }, 120_000);

  it("a thumbnailer writing the mirror directly reaches publicGeneration within one hop", async () => {
    const ref = db().doc(sourcePath("ann", "inv-2"));
    await throughTheCache(
      "inv-2",
      () => ref.set(sourceItem("ann", { prompt: "p", createdAt: Timestamp.now(), updatedAt: Timestamp.now() })),
      "p",
    );
    const images = (await db().doc(mirrorPath("inv-2")).get()).get("images") as Array<Record<string, unknown>>;
    await db()
      .doc(mirrorPath("inv-2"))
      .update({ images: [{ ...images[0], thumbnailUrl: "https://pipe.test/t.png" }] });
    await waitFor(
      async () =>
        ((await item("inv-2")) as unknown as { images: Array<{ thumbnailUrl?: string }> } | null)?.images[0]?.thumbnailUrl ===
        "https://pipe.test/t.png",
      { timeoutMs: hopMs, what: "the thumbnail in publicGeneration" },
    );
  }, 60_000);
});
