import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Redis } from "@upstash/redis";
import type { ArtDeps } from "../../src/art/deps";
import { artworkPath, requestPath, sessionPath } from "../../src/art/model";
import { recordImpressions, nextArtworks } from "../../src/art/next";
import { completeRequest } from "../../src/art/outcomes";
import { ProviderError, type ArtProvider } from "../../src/art/providers/provider";
import { recoverArtRequests } from "../../src/art/recovery";
import { generateArt, processingStatus } from "../../src/art/requests";
import { startArtSession } from "../../src/art/sessions";
import { redisStatuses } from "../../src/art/status";
import { watchArtSession } from "../../src/art/watch";
import { processArtRequest } from "../../src/art/worker";
import { waitFor } from "../helpers/wait";
import { Timestamp } from "firebase-admin/firestore";
import { ledgerPath } from "../../src/credits/model";
import { localProvider } from "../../src/art/providers/local";
import { userPath } from "../../src/people/model";
import { mediaS3Client } from "../../src/canvas/media/store";
import { s3rverCredentials, type S3Server } from "../../tools/media/s3-server";
import { db, triggersOffDuringSuite } from "../helpers/firestore";
import { testRedis } from "../helpers/redis";
import { prng, testSeed } from "../helpers/random";
import { artTestDeps, balanceOf, bucket, seedArtworks, startArtS3 } from "./harness";

// The worker, the recovery and the pool called in-process on the real Firestore emulator, the
// real Redis (through the Upstash bridge) and an s3rver of the suite's own; triggers off, so
// every dispatch here is the test's own (a duplicate, a crash, a late worker).
jest.setTimeout(60_000);
triggersOffDuringSuite();

let s3!: S3Server;
let client!: S3Client;
beforeAll(async () => {
  s3 = await startArtS3();
  client = mediaS3Client({ endpoint: s3.url, region: "us-east-1", bucket, ...s3rverCredentials });
});
afterAll(async () => {
  client.destroy();
  await s3.stop();
});

let n = 0;
const unique = (name: string) => `${name}-${Date.now()}-${++n}`;
const objectExists = (path: string) =>
  client.send(new HeadObjectCommand({ Bucket: bucket, Key: path })).then(
    () => true,
    (e: { $metadata?: { httpStatusCode?: number } }) => (e.$metadata?.httpStatusCode === 404 ? false : Promise.reject(e)),
  );

/** A user with `credits`, a live session and one queued request made through generateArt. */
async function queued(deps: ArtDeps, credits = 5) {
  const uid = unique("worker-user");
  await db().doc(userPath(uid)).set({ username: uid, credits });
  const { sessionId } = await startArtSession(deps.db, uid, undefined, deps.now());
  const { requestId } = await generateArt(deps, uid, { sessionId, prompt: "a quiet harbour" });
  return { uid, sessionId, requestId };
}
const request = async (requestId: string) => (await db().doc(requestPath(requestId)).get()).data()!;
const ledger = async (uid: string) => (await db().collection(ledgerPath(uid)).get()).docs.map((d) => d.get("delta") as number).sort();

/** A provider that fails every time, as told. */
const failing = (retryable: boolean): ArtProvider => ({
  name: "failing",
  generate: async () => {
    throw new ProviderError(
      "the API said no",
      retryable,
      retryable ? "The image could not be generated." : "The image provider refused this prompt.",
    );
  },
});

describe("one request, one artwork", () => {
  it("two dispatches at once (a duplicated event): one claims and generates, the other finds it held", async () => {
    const deps = artTestDeps(s3);
    const { requestId, uid } = await queued(deps);
    const outcomes = await Promise.all([processArtRequest(deps, requestId), processArtRequest(deps, requestId)]);
    expect(outcomes.sort()).toEqual(["done", "held"]);
    expect(await request(requestId)).toMatchObject({ status: "done", artworkId: requestId });
    const artwork = (await db().doc(artworkPath(requestId)).get()).data()!;
    expect(artwork).toMatchObject({ uid, requestId, provider: "local", contentType: "image/png" });
    expect(await objectExists(artwork.storagePath as string)).toBe(true);
    expect(await processingStatus(deps, uid, requestId)).toEqual({ status: "done", progress: 100, stage: "done", artworkId: requestId });
    // The entry lives 24 h after its last update (the done one).
    expect(await testRedis().ttl(`fresco:processing:${requestId}`)).toBeGreaterThan(24 * 3600 - 60);
    expect(await processArtRequest(deps, requestId)).toBe("ended"); // a late event changes nothing
    expect(await ledger(uid)).toEqual([-1]);
  });

  it("a worker that finishes after another completed the request deletes only its own picture", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: ArtProvider = {
      name: "slow",
      generate: async (inputs, report) => (await gate, localProvider(64).generate(inputs, report)),
    };
    const deps = artTestDeps(s3, { provider: slow });
    const { requestId } = await queued(deps);
    const running = processArtRequest(deps, requestId);
    await new Promise((r) => setTimeout(r, 200)); // it holds the claim and waits in the provider
    const other = {
      imageUrl: "https://img.test/other.png",
      storagePath: "art/other.png",
      provider: "other",
      contentType: "image/png" as const,
      width: 1,
      height: 1,
    };
    expect(await completeRequest(deps, requestId, other)).toBe(true);
    release();
    expect(await running).toBe("ended");
    expect((await db().doc(artworkPath(requestId)).get()).get("imageUrl")).toBe(other.imageUrl);
    const listed = await client.send(new (await import("@aws-sdk/client-s3")).ListObjectsV2Command({ Bucket: bucket, Prefix: `art/` }));
    expect((listed.Contents ?? []).filter((o) => o.Key!.includes(requestId))).toEqual([]);
  });
});

describe("failures", () => {
  it("a refused prompt fails at once and refunds the credit, once", async () => {
    const deps = artTestDeps(s3, { provider: failing(false) });
    const { requestId, uid } = await queued(deps, 2);
    expect(await balanceOf(uid)).toBe(1);
    expect(await processArtRequest(deps, requestId)).toBe("failed");
    expect(await request(requestId)).toMatchObject({ status: "failed", error: "The image provider refused this prompt.", refunded: 1 });
    expect(await balanceOf(uid)).toBe(2);
    expect(await processingStatus(deps, uid, requestId)).toMatchObject({
      status: "failed",
      error: "The image provider refused this prompt.",
    });
    expect(await processArtRequest(deps, requestId)).toBe("ended");
    expect(await ledger(uid)).toEqual([-1, 1]);
  });

  it("a failing run is retried by the recovery after its backoff, and the last allowed failure fails and refunds", async () => {
    let clock = Date.now();
    const deps = artTestDeps(s3, { provider: failing(true), now: () => clock, settings: { maxAttempts: 3, retryBaseMs: 10_000 } });
    const { requestId, uid } = await queued(deps, 1);
    const recover = recoverArtRequests(() => deps);
    const job = () => recover({ db: db(), now: () => clock }, { dryRun: false });
    expect(await processArtRequest(deps, requestId)).toBe("deferred");
    expect(await request(requestId)).toMatchObject({ status: "queued", attempt: 1, failures: 1 });
    expect(await deps.statuses.read(requestId)).toBeNull(); // the claim was given back
    expect((await job()).counts).toMatchObject({ redispatched: 0 }); // its backoff has not passed
    clock += 10_001;
    expect((await job()).counts).toMatchObject({ redispatched: 1 });
    expect(await request(requestId)).toMatchObject({ attempt: 2, failures: 1 });
    expect(await processArtRequest(deps, requestId)).toBe("deferred");
    clock += 20_001;
    expect((await job()).counts).toMatchObject({ redispatched: 1 });
    expect(await processArtRequest(deps, requestId)).toBe("failed");
    expect(await request(requestId)).toMatchObject({ status: "failed", failures: 2, refunded: 1 });
    expect(await balanceOf(uid)).toBe(1);
    expect(await ledger(uid)).toEqual([-1, 1]);
  });

  it("a worker that died holding its claim: the recovery takes it back and dispatches again; the dead one, if it wakes, writes nothing", async () => {
    let clock = Date.now();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const hung: ArtProvider = {
      name: "hung",
      generate: async (inputs, report) => (await gate, localProvider(64).generate(inputs, report)),
    };
    const deadDeps = artTestDeps(s3, { provider: hung, now: () => clock, settings: { heartbeatMs: 3_600_000 } });
    const { requestId, uid } = await queued(deadDeps);
    const dead = processArtRequest(deadDeps, requestId);
    await new Promise((r) => setTimeout(r, 200));
    expect(await processingStatus(deadDeps, uid, requestId)).toMatchObject({ status: "processing" });
    // Due a stall period after the request was made: alive while its heartbeat is younger than
    // the recovery's stall period (120 s here), dead past it (60 s here).
    clock += 61_000;
    const patient = recoverArtRequests(() => ({ ...deadDeps, settings: { ...deadDeps.settings, stallMs: 120_000 } }));
    expect((await patient({ db: db(), now: () => clock }, { dryRun: false })).counts).toMatchObject({ due: 1, alive: 1 });
    clock += 200_000;
    const recover = recoverArtRequests(() => deadDeps);
    expect((await recover({ db: db(), now: () => clock }, { dryRun: false })).counts).toMatchObject({ due: 1, redispatched: 1 });
    expect(await request(requestId)).toMatchObject({ attempt: 2, failures: 1, status: "queued" });
    expect(await processArtRequest(artTestDeps(s3), requestId)).toBe("done");
    release();
    expect(await dead).toBe("lost");
    expect(await request(requestId)).toMatchObject({ status: "done" });
    expect(await ledger(uid)).toEqual([-1]);
  });

  it("a run of an older dispatch that fails for good fails nothing: the newer dispatch owns the request", async () => {
    let clock = Date.now();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const refusedLate: ArtProvider = {
      name: "late",
      generate: async () => {
        await gate;
        throw new ProviderError("400", false, "The image provider refused this prompt.");
      },
    };
    const deps = artTestDeps(s3, { provider: refusedLate, now: () => clock, settings: { heartbeatMs: 3_600_000 } });
    const { requestId, uid } = await queued(deps, 3);
    const stale = processArtRequest(deps, requestId);
    await new Promise((r) => setTimeout(r, 200));
    clock += 200_000; // its heartbeat stopped: the recovery gives the request a new dispatch
    expect((await recoverArtRequests(() => deps)({ db: db(), now: () => clock }, { dryRun: false })).counts).toMatchObject({
      redispatched: 1,
    });
    release();
    expect(await stale).toBe("ended");
    expect(await request(requestId)).toMatchObject({ status: "queued", attempt: 2 });
    expect(await balanceOf(uid)).toBe(2);
  });

  it("never leaves a request queued forever: an unreadable claim is cleared, and dispatches that never run end in a refund", async () => {
    let clock = Date.now();
    const deps = artTestDeps(s3, { now: () => clock, settings: { maxAttempts: 2 } });
    const { requestId, uid } = await queued(deps, 1);
    await testRedis().set(`fresco:processing:${requestId}`, "not json");
    expect(await processArtRequest(deps, requestId)).toBe("held"); // SET NX finds the junk
    const recover = () => recoverArtRequests(() => deps)({ db: db(), now: () => clock }, { dryRun: false });
    for (let i = 0; i < 3; i++) {
      clock += 61_000;
      expect((await recover()).counts).toMatchObject({ redispatched: 1 }); // each dispatch lost: no worker runs it
    }
    expect(await deps.statuses.read(requestId)).toBeNull();
    clock += 61_000;
    expect((await recover()).counts).toMatchObject({ failed: 1 }); // 4 dispatches = 2 x maxAttempts
    expect(await request(requestId)).toMatchObject({ status: "failed", refunded: 1 });
    expect(await balanceOf(uid)).toBe(1);
  });

  it("Redis down: the status is answered from Firestore, and the recovery leaves the request for its next run", async () => {
    const deps = artTestDeps(s3);
    const { requestId, uid } = await queued(deps);
    const down = new Redis({ url: "http://127.0.0.1:9", token: "t", retry: false });
    const blind = { ...deps, statuses: redisStatuses(down) };
    expect(await processingStatus(blind, uid, requestId)).toEqual({ status: "queued", progress: 0, stage: "queued" });
    await expect(processArtRequest(blind, requestId)).rejects.toThrow();
    const result = await recoverArtRequests(() => blind)({ db: db(), now: () => Date.now() + 120_000 }, { dryRun: false });
    expect(result.errors.map((e) => e.id)).toContain(requestId);
    expect(await request(requestId)).toMatchObject({ status: "queued", attempt: 1 });
    expect(await processArtRequest(deps, requestId)).toBe("done"); // Redis back: nothing was lost
  });
});

describe("watchArtSession", () => {
  it("sends each new artwork of the session, oldest first, and ends at once when the client disconnects", async () => {
    const viewer = unique("watcher");
    const { sessionId } = await startArtSession(db(), viewer, undefined, Date.now());
    const sent: string[] = [];
    const controller = new AbortController();
    const sink = {
      sendChunk: async (c: { artwork: { artworkId: string } }) => (sent.push(c.artwork.artworkId), true),
      signal: controller.signal,
    };
    await seedArtworks(viewer, ["before-watch"], () => 0); // written before the call: not new
    const watching = watchArtSession(db(), viewer, sessionId, sink, true, Date.now);
    await new Promise((r) => setTimeout(r, 300));
    const write = (id: string) =>
      db()
        .doc(artworkPath(id))
        .set({ uid: viewer, sessionId, requestId: id, imageUrl: "https://img.test/x.png", prompt: id, createdAt: Timestamp.now() });
    await write("w1");
    await write("w2");
    await waitFor(() => sent.length === 2, { what: "two chunks" });
    expect(sent).toEqual(["w1", "w2"]);
    controller.abort();
    expect(await watching).toEqual({ ended: "disconnected" });
    await write("w3"); // the listener is gone: nothing more is sent
    await new Promise((r) => setTimeout(r, 300));
    expect(sent).toEqual(["w1", "w2"]);
  });
});

describe("the pool, under concurrency and new art", () => {
  it("serves every artwork once and only once, across two tabs, recorded impressions and artworks arriving meanwhile", async () => {
    const rng = prng(testSeed("art pool"));
    const deps = artTestDeps(s3);
    const viewer = unique("pool-viewer");
    const [a, b] = await Promise.all([
      startArtSession(db(), viewer, undefined, Date.now()),
      startArtSession(db(), viewer, undefined, Date.now()),
    ]);
    const owner = unique("pool-owner");
    const all = new Set<string>();
    const seed = async (count: number, age: (i: number) => number) => {
      const ids = Array.from({ length: count }, () => unique("pool-art"));
      await seedArtworks(owner, ids, age);
      ids.forEach((id) => all.add(id));
      return ids;
    };
    // Settled (older than a minute) and recent art, interleaved in time.
    await seed(60, (i) => 120_000 + i * 1000 * rng.next());
    await seed(20, (i) => i * 2500);
    const served: string[] = [];
    /** Each recorded artwork and the round its recordImpressions returned in. */
    const recorded = new Map<string, number>();
    const servedIn = new Map<string, number>();
    for (let round = 0, idle = 0; idle < 2 && round < 60; round++) {
      if (round % 4 === 1) await seed(3, () => 0);
      const limit = (sessionId: string) => nextArtworks(deps, viewer, sessionId, 1 + rng.int(12));
      // Two tabs at once every third round (the emulator resolves their lock conflict in ~3 s).
      const calls: Array<Promise<{ artworks: Array<{ artworkId: string }> }>> =
        round % 3 === 0
          ? [limit(a.sessionId), limit(b.sessionId)]
          : [await limit(rng.chance(0.5) ? a.sessionId : b.sessionId)].map((x) => Promise.resolve(x));
      if (round % 3 === 2 && served.length > 0) {
        const pick = [...all].filter(() => rng.chance(0.05)).slice(0, 5);
        if (pick.length) {
          await recordImpressions(deps, viewer, a.sessionId, pick);
          pick.forEach((id) => recorded.has(id) || recorded.set(id, round));
        }
      }
      const answers = await Promise.all(calls);
      const got = answers.flatMap((x) => x.artworks.map((w) => w.artworkId));
      served.push(...got);
      got.forEach((id) => servedIn.set(id, round));
      idle = got.length === 0 ? idle + 1 : 0;
    }
    expect(new Set(served).size).toBe(served.length); // never twice
    // An artwork recorded as shown is never served in a later round.
    expect([...recorded].filter(([id, round]) => (servedIn.get(id) ?? -1) > round)).toEqual([]);
    const missing = [...all].filter((id) => !served.includes(id) && !recorded.has(id));
    expect(missing).toEqual([]); // and nothing lost: every artwork was served or recorded as shown
    const viewerDoc = (await db().doc(`artViewers/${viewer}`).get()).data()!;
    expect((viewerDoc.seen as unknown[]).length).toBeGreaterThan(0);
    expect((await db().doc(sessionPath(a.sessionId)).get()).get("uid")).toBe(viewer);
  });
});
