import { Timestamp } from "firebase-admin/firestore";
import { cacheInvalidations } from "../../src/cache/outbox";
import { findDue } from "../../src/mirror/claim";
import { mirrorPath, mirrorQueue, ownerPath, sourcePath } from "../../src/mirror/paths";
import { processCandidates, processTask, processTaskWithRetries } from "../../src/mirror/process";
import { sweepQueue } from "../../src/mirror/sweep";
import { FakeClock } from "../helpers/clock";
import { sourceItem } from "../helpers/fixtures";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { enqueueFor, failWhen, mirrorMismatch, task, testDeps } from "./harness";

// The queue keeps moving: retries within seconds, no task killed by someone else's mirror,
// no starvation behind a backlog, no lost flush; and a historyId stays its first owner's.
describe("mirror queue liveness", () => {
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  it("a failed trigger run is retried in the same run within seconds, not after the sweep minute", async () => {
    await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
    const id = await enqueueFor("ann", "h1");
    let failures = 0;
    const deps = testDeps(new FakeClock(), "trigger", {
      now: Date.now,
      afterStep: failWhen((step) => step === "claimed" && failures++ === 0, "Firestore hiccup"),
    });
    const started = Date.now();
    expect(await processTaskWithRetries(deps, id, 30_000)).toBe("written");
    expect(Date.now() - started).toBeLessThan(5_000); // the first backoff is 1 to 2 s
    expect(await task(id)).toMatchObject({ status: "done", attempts: 2 });
    expect(await mirrorMismatch("ann", "h1")).toBeUndefined();
  });

  it("gives up within its budget and leaves the task failed, due again, for the sweeper", async () => {
    await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
    const id = await enqueueFor("ann", "h1");
    const deps = testDeps(new FakeClock(), "trigger", { now: Date.now, afterStep: failWhen((step) => step === "claimed") });
    expect(await processTaskWithRetries(deps, id, 500)).toBe("failed");
    expect(await task(id)).toMatchObject({ status: "failed", attempts: 1, nextAttemptAt: expect.any(Timestamp) });
  });

  it("a mirror without uid (an image pipeline wrote it first) does not kill the item's tasks", async () => {
    const clock = new FakeClock();
    const url = "https://img.test/a.png";
    await db()
      .doc(mirrorPath("h1"))
      .set({ images: [{ url, thumbnailUrl: "https://pipe/t.png" }] });
    await db()
      .doc(sourcePath("ann", "h1"))
      .set(sourceItem("ann", { images: [{ url }] }));
    const id = await enqueueFor("ann", "h1");
    expect(await processTask(testDeps(clock, "a"), id)).toBe("written");
    const mirror = (await db().doc(mirrorPath("h1")).get()).data()!;
    expect(mirror).toMatchObject({ uid: "ann", images: [{ url, thumbnailUrl: "https://pipe/t.png" }] });
    expect((await db().doc(ownerPath("h1")).get()).get("uid")).toBe("ann");
  });

  it("a later source write converges even when the item's older tasks are dead", async () => {
    const clock = new FakeClock();
    await db().doc(sourcePath("ann", "h1")).set(sourceItem("ann"));
    const doomed = await enqueueFor("ann", "h1");
    const failing = testDeps(clock, "f", { afterStep: failWhen((step, id) => step === "claimed" && id === doomed) });
    for (let i = 0; i < 5; i++) {
      await processTask(failing, doomed);
      clock.advance(10 * 60_000);
    }
    expect(await task(doomed)).toMatchObject({ status: "dead" });
    await db().doc(sourcePath("ann", "h1")).update({ prompt: "edited", updatedAt: Timestamp.now() });
    expect(await processTask(testDeps(clock, "b"), await enqueueFor("ann", "h1"))).toBe("written");
    expect(await mirrorMismatch("ann", "h1")).toBeUndefined();
  });

  it("the sweeper does not starve failed and expired-lease tasks behind a pending backlog", async () => {
    const clock = new FakeClock();
    const writer = db().bulkWriter();
    const old = Timestamp.fromMillis(clock.now() - 3_600_000);
    for (let i = 0; i < 150; i++) {
      void writer.set(
        db()
          .collection(mirrorQueue)
          .doc(`p${String(i).padStart(3, "0")}`),
        {
          op: "update",
          uid: "ann",
          historyId: `b${i}`,
          status: "pending",
          attempts: 0,
          createdAt: old,
          updatedAt: old,
        },
      );
    }
    const due = Timestamp.fromMillis(clock.now() - 1000);
    void writer.set(db().collection(mirrorQueue).doc("failed-1"), {
      op: "update",
      uid: "ann",
      historyId: "f1",
      status: "failed",
      attempts: 1,
      nextAttemptAt: due,
      createdAt: old,
      updatedAt: old,
    });
    void writer.set(db().collection(mirrorQueue).doc("leased-1"), {
      op: "update",
      uid: "ann",
      historyId: "l1",
      status: "processing",
      attempts: 1,
      leaseOwner: "dead-worker",
      leaseExpiresAt: due,
      createdAt: old,
      updatedAt: old,
    });
    await writer.close();
    const found = (await findDue(testDeps(clock, "s"), 20)).map((c) => c.id);
    expect(found).toEqual(expect.arrayContaining(["failed-1", "leased-1"]));
    await sweepQueue(testDeps(clock, "sweeper"), { pendingGraceMs: 60_000, limit: 40, concurrency: 8 });
    expect(await task("failed-1")).toMatchObject({ status: "done" });
    expect(await task("leased-1")).toMatchObject({ status: "done" });
  });

  it("one failure in a batch does not keep the committed tasks' invalidations from being flushed", async () => {
    const clock = new FakeClock();
    for (const id of ["h1", "h2", "h3"]) await db().doc(sourcePath("ann", id)).set(sourceItem("ann"));
    const ids = [await enqueueFor("ann", "h1"), await enqueueFor("ann", "h2"), await enqueueFor("ann", "h3")];
    const bumped: string[] = [];
    // h2 fails, and recording its failure fails too (Firestore trouble): it is left as it was.
    const deps = testDeps(clock, "w", {
      invalidate: async (tags) => void bumped.push(...tags),
      afterStep: failWhen((step, id) => (step === "claimed" || step === "recording-failure") && id === ids[1]),
    });
    const candidates = ids.map((id, i) => ({ id, uid: "ann", historyId: `h${i + 1}` }));
    expect(await processCandidates(deps, candidates, 3)).toEqual(["written", "error", "written"]);
    expect(bumped).toEqual(expect.arrayContaining(["generation:h1", "generation:h3"]));
    expect((await db().collection(cacheInvalidations).get()).size).toBe(0);
    // Left leased by its claim: the sweeper takes it again once the lease expires.
    expect(await task(ids[1]!)).toMatchObject({ status: "processing", leaseExpiresAt: expect.any(Timestamp) });
  });
});

describe("a public historyId belongs to its first owner", () => {
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  it("another user's item with the same id never shows, never takes the id, never goes dead; the owner can always republish", async () => {
    const clock = new FakeClock();
    const run = async (uid: string) => processTask(testDeps(clock, "p"), await enqueueFor(uid, "h1"));
    await db()
      .doc(sourcePath("ann", "h1"))
      .set(sourceItem("ann", { prompt: "ann's" }));
    expect(await run("ann")).toBe("written");
    expect((await db().doc(ownerPath("h1")).get()).get("uid")).toBe("ann");

    // Before the owner unpublishes: written with the Admin SDK, as rules would refuse a client.
    await db()
      .doc(sourcePath("mallory", "h1"))
      .set(sourceItem("mallory", { prompt: "mallory's" }));
    const taken = await enqueueFor("mallory", "h1");
    expect(await processTask(testDeps(clock, "p"), taken)).toBe("conflict");
    expect(await task(taken)).toMatchObject({ status: "done", outcome: "conflict" });
    expect((await db().doc(mirrorPath("h1")).get()).get("prompt")).toBe("ann's");

    // After the owner unpublishes, the id still is not free.
    await db().doc(sourcePath("ann", "h1")).update({ isPublic: false });
    expect(await run("ann")).toBe("removed");
    expect(await run("mallory")).toBe("conflict");
    expect((await db().doc(mirrorPath("h1")).get()).exists).toBe(false);

    await db().doc(sourcePath("ann", "h1")).update({ isPublic: true });
    expect(await run("ann")).toBe("written");
    expect((await db().doc(mirrorPath("h1")).get()).data()).toMatchObject({ uid: "ann", prompt: "ann's" });
    expect((await db().collection(mirrorQueue).where("status", "==", "dead").count().get()).data().count).toBe(0);
  });
});
