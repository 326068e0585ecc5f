import { Timestamp } from "firebase-admin/firestore";
import { collection, onSnapshot, query, where } from "firebase/firestore";
import { frescoClient } from "../../../client/src/call";
import { artRequests, artRetention, artworkPath, impressionPath, requestPath, sessionPath } from "../../src/art/model";
import { ledgerPath } from "../../src/credits/model";
import { onArtRequestWritten, recoverArtRequests, watchArtSession } from "../../src/art";
import { callCallable } from "../helpers/auth";
import { functionUrl } from "../helpers/emulators";
import { fireScheduledJob } from "../helpers/schedule";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { signedInApp } from "../helpers/sdk";
import { waitFor } from "../helpers/wait";
import { call, type Person } from "../people/harness";
import { artist, balanceOf, startSession, untilEnded, type Artwork } from "./harness";

// The art callables through the Functions emulator (ID tokens, real triggers: the worker runs
// on onArtRequestWritten), the real Redis and the stack's S3 store.
jest.setTimeout(90_000);
suiteWithTriggers();

const unique = (name: string) => `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
const refusal = async (name: string, data: unknown, who?: Person) => (await callCallable(name, data, who?.token)).error?.status;
const generate = (who: Person, data: Record<string, unknown>) => call<{ requestId: string; sessionId: string }>("generateArt", data, who);
const next = (who: Person, sessionId: string, limit?: number) =>
  call<{ artworks: Artwork[] }>("nextArtworks", { sessionId, ...(limit ? { limit } : {}) }, who);

let ada!: Person;
let bo!: Person;
let adaSession!: string;
beforeAll(async () => {
  [ada, bo] = await Promise.all([artist(unique("art-ada"), 20), artist(unique("art-bo"), 5)]);
  adaSession = await startSession(ada);
});

describe("startArtSession", () => {
  it("keeps the caller's live session (a reload, a second tab) and makes a new one for anything else", async () => {
    const first = await call<{ sessionId: string; expiresAt: string; resumed: boolean }>("startArtSession", {}, bo);
    expect(first.resumed).toBe(false);
    expect(Date.parse(first.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(await call("startArtSession", { sessionId: first.sessionId }, bo)).toMatchObject({ sessionId: first.sessionId, resumed: true });
    // Someone else's session: a new one, and ada's session is untouched.
    const other = await call<{ sessionId: string; resumed: boolean }>("startArtSession", { sessionId: adaSession }, bo);
    expect(other.sessionId).not.toBe(adaSession);
    expect((await db().doc(sessionPath(adaSession)).get()).get("uid")).toBe(ada.uid);
    expect(await refusal("startArtSession", {})).toBe("UNAUTHENTICATED");
    expect(await refusal("startArtSession", { sessionId: "a/b" }, bo)).toBe("INVALID_ARGUMENT");
  });

  it("treats an expired session as gone before its TTL deletes it: refused with failed-precondition, replaced by startArtSession", async () => {
    const sessionId = await startSession(bo);
    await db()
      .doc(sessionPath(sessionId))
      .update({ expiresAt: Timestamp.fromMillis(Date.now() - 1000) });
    const before = await balanceOf(bo.uid);
    expect(await refusal("generateArt", { sessionId, prompt: "late" }, bo)).toBe("FAILED_PRECONDITION");
    expect(await refusal("nextArtworks", { sessionId }, bo)).toBe("FAILED_PRECONDITION");
    expect(await refusal("recordImpressions", { sessionId, artworkIds: ["x"] }, bo)).toBe("FAILED_PRECONDITION");
    expect(await balanceOf(bo.uid)).toBe(before);
    expect((await db().collection(artRequests).where("sessionId", "==", sessionId).get()).size).toBe(0);
    const fresh = await call<{ sessionId: string; resumed: boolean }>("startArtSession", { sessionId }, bo);
    expect(fresh.resumed).toBe(false);
    expect(fresh.sessionId).not.toBe(sessionId);
  });
});

describe("generateArt to nextArtworks", () => {
  it("spends a credit (on the very next `me`), produces a real picture, and puts it first in the very next nextArtworks", async () => {
    expect((await call<{ credits: number }>("me", {}, ada)).credits).toBe(20); // cached now
    const { requestId, sessionId } = await generate(ada, {
      sessionId: adaSession,
      prompt: "a lighthouse at dusk",
      audioAnalysis: { energy: 0.7, tempo: 120, spectrum: [[0.1, 0.2], [0.3]] },
      musicInfo: { title: "Tide", artist: "Sea", genre: "ambient" },
      preferences: { styles: ["watercolor"], dynamicMode: true },
    });
    expect(sessionId).toBe(adaSession);
    expect((await call<{ credits: number }>("me", {}, ada)).credits).toBe(19);
    const seen: string[] = [];
    const done = await untilEnded(ada, requestId, seen);
    expect(done).toEqual({ status: "done", progress: 100, stage: "done", artworkId: requestId });
    expect(seen.every((s) => ["queued", "processing", "done"].includes(s))).toBe(true);

    const { artworks } = await next(ada, adaSession);
    expect(artworks[0]).toEqual({
      artworkId: requestId,
      sessionId: adaSession,
      uid: ada.uid,
      imageUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/fresco-media\/art\//) as unknown,
      prompt: "a lighthouse at dusk",
      createdAt: expect.any(String) as unknown,
    });
    const picture = await fetch(artworks[0]!.imageUrl);
    expect(picture.status).toBe(200);
    expect(picture.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await picture.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([512, 512]); // IHDR width, height
  });

  it("a retry with the same clientRequestId finds the first request and spends nothing more", async () => {
    const before = await balanceOf(ada.uid);
    const data = { sessionId: adaSession, prompt: "once", clientRequestId: unique("retry-key") };
    const [a, b] = await Promise.all([generate(ada, data), generate(ada, data)]);
    expect(b.requestId).toBe(a.requestId);
    expect(await balanceOf(ada.uid)).toBe(before - 1);
    expect((await untilEnded(ada, a.requestId)).status).toBe("done");
  });

  it("the typed client's generateArt carries a clientRequestId of its own, so its retry of a lost answer spends once", async () => {
    const tab = await signedInApp(unique("art-client"), ada.uid);
    const before = await balanceOf(ada.uid);
    const { requestId } = await frescoClient(tab.functions, "").call("generateArt", { sessionId: adaSession, prompt: "typed" });
    // A request id made from (uid, clientRequestId) is 32 characters; one made without is a 20-character auto id.
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await balanceOf(ada.uid)).toBe(before - 1);
    expect((await untilEnded(ada, requestId)).status).toBe("done");
  });

  it("shows a new artwork first even when impressions are recorded at the same moment (the write-up's race)", async () => {
    const { requestId } = await generate(ada, { sessionId: adaSession, prompt: "race" });
    await untilEnded(ada, requestId);
    const [recorded, answer] = await Promise.all([
      call<{ recorded: number }>("recordImpressions", { sessionId: adaSession, artworkIds: [requestId] }, ada),
      next(ada, adaSession),
    ]);
    expect(recorded.recorded).toBe(1);
    expect(answer.artworks[0]!.artworkId).toBe(requestId);
    const mark = (await db().doc(impressionPath(ada.uid, requestId)).get()).data()!;
    expect(mark.expireAt.toMillis() - mark.at.toMillis()).toBe(artRetention.impressionMs); // kept 90 days (TTL)
    // And again after: the session's own artworks repeat for 15 minutes, impressions or not.
    expect((await next(ada, adaSession)).artworks[0]!.artworkId).toBe(requestId);
  });

  it("streams each new artwork of the session within 1 s of it being written, to the owner's SDK listener too", async () => {
    const tab = await signedInApp(unique("art-tab"), ada.uid);
    const controller = new AbortController();
    try {
      const chunks: Array<{ artwork: Artwork; at: number }> = [];
      const listened: string[] = [];
      const unsubscribe = onSnapshot(
        query(collection(tab.firestore, "artworks"), where("uid", "==", ada.uid), where("sessionId", "==", adaSession)),
        (snap) => snap.docChanges().forEach((c) => c.type === "added" && listened.push(c.doc.id)),
      );
      // Through the typed client's watch (httpsCallable(...).stream() underneath).
      const stream = await frescoClient(tab.functions, "").watch("watchArtSession", { sessionId: adaSession }, controller.signal);
      const reading = (async () => {
        for await (const chunk of stream) chunks.push({ ...chunk, at: Date.now() });
      })().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500)); // the listener is live
      const { requestId } = await generate(ada, { sessionId: adaSession, prompt: "streamed" });
      const got = await waitFor(() => chunks.find((c) => c.artwork.artworkId === requestId), {
        timeoutMs: 30_000,
        what: "the streamed artwork",
      });
      const written = (await db().doc(artworkPath(requestId)).get()).createTime!.toMillis();
      expect(got.at - written).toBeLessThan(1000);
      expect(got.artwork).toMatchObject({ artworkId: requestId, sessionId: adaSession, uid: ada.uid, prompt: "streamed" });
      await waitFor(() => listened.includes(requestId), { what: "the owner's SDK listener" });
      unsubscribe();
      controller.abort();
      await reading;
    } finally {
      controller.abort();
      await tab.close();
    }
  });
});

describe("the wire", () => {
  it("streams as server-sent events: heartbeats while idle, then `data:` chunks of new artworks", async () => {
    const controller = new AbortController();
    const response = await fetch(functionUrl("watchArtSession"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", authorization: `Bearer ${ada.token}` },
      body: JSON.stringify({ data: { sessionId: adaSession } }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    let text = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const part of response.body!) text += decoder.decode(part as Uint8Array, { stream: true });
    })().catch(() => undefined);
    const { requestId } = await generate(ada, { sessionId: adaSession, prompt: "on the wire" }).catch((e: unknown) => {
      controller.abort();
      throw e;
    });
    await waitFor(() => text.includes(requestId), { timeoutMs: 30_000, what: "the artwork's event" });
    const event = text.split("\n\n").find((e) => e.includes(requestId))!;
    expect(JSON.parse(event.replace(/^data: /, ""))).toMatchObject({
      message: { artwork: { artworkId: requestId, sessionId: adaSession } },
    });
    try {
      await waitFor(() => text.includes(": ping"), { timeoutMs: 15_000, what: "a heartbeat (every 10 s)" });
    } finally {
      controller.abort();
      await reading;
    }
  });

  it("wires the worker without platform retries (the recovery retries), and the recovery as a scheduled job that records its runs", async () => {
    expect(onArtRequestWritten.__endpoint.eventTrigger).toMatchObject({ retry: false });
    expect(watchArtSession.__endpoint.timeoutSeconds).toBe(3600);
    expect(recoverArtRequests.__endpoint.scheduleTrigger).toMatchObject({ schedule: "* * * * *", retryConfig: { retryCount: 0 } });
    const { run } = await fireScheduledJob("recoverArtRequests");
    expect(run).toMatchObject({
      status: "finished",
      errorCount: 0,
      counts: expect.objectContaining({ due: expect.any(Number) }) as unknown,
    });
  });
});

describe("refusals change nothing", () => {
  it("refuses someone else's session and request as not-found, bad input as invalid-argument, no credits as failed-precondition", async () => {
    const broke = await artist(unique("art-broke"), 0);
    const brokeSession = await startSession(broke);
    const { requestId } = await generate(ada, { sessionId: adaSession, prompt: "mine" });
    const cases: Array<[string, Record<string, unknown>, Person, string]> = [
      ["generateArt", { sessionId: adaSession, prompt: "theirs" }, bo, "NOT_FOUND"],
      ["generateArt", { sessionId: "no-such-session" }, bo, "NOT_FOUND"],
      ["nextArtworks", { sessionId: adaSession }, bo, "NOT_FOUND"],
      ["recordImpressions", { sessionId: adaSession, artworkIds: [requestId] }, bo, "NOT_FOUND"],
      ["watchArtSession", { sessionId: adaSession }, bo, "NOT_FOUND"],
      ["getProcessingStatus", { requestId }, bo, "NOT_FOUND"],
      ["getProcessingStatus", { requestId: "no-such-request" }, ada, "NOT_FOUND"],
      ["generateArt", { sessionId: brokeSession, prompt: "free?" }, broke, "FAILED_PRECONDITION"],
      ["generateArt", { sessionId: adaSession, prompt: "p".repeat(2001) }, ada, "INVALID_ARGUMENT"],
      ["generateArt", { sessionId: adaSession, audioAnalysis: { s: "x".repeat(65_536) } }, ada, "INVALID_ARGUMENT"],
      ["generateArt", { sessionId: adaSession, previousVotes: [1] }, ada, "INVALID_ARGUMENT"],
      ["nextArtworks", { sessionId: adaSession, limit: 51 }, ada, "INVALID_ARGUMENT"],
      ["recordImpressions", { sessionId: adaSession, artworkIds: [] }, ada, "INVALID_ARGUMENT"],
      ["recordImpressions", { sessionId: adaSession, artworkIds: ["x"], via: "served" }, ada, "INVALID_ARGUMENT"],
      ["getProcessingStatus", { requestId: "a/b" }, ada, "INVALID_ARGUMENT"],
      ["watchArtSession", { sessionId: "" }, ada, "INVALID_ARGUMENT"],
      ["startArtSession", { sessionId: adaSession, uid: bo.uid }, ada, "INVALID_ARGUMENT"],
    ];
    const balances = async () => Promise.all([ada, bo, broke].map((p) => balanceOf(p.uid)));
    const requests = async () => (await db().collection(artRequests).get()).size;
    const [before, requestsBefore] = await Promise.all([balances(), requests()]);
    for (const [name, data, who, status] of cases) expect([name, data, await refusal(name, data, who)]).toEqual([name, data, status]);
    expect(await balances()).toEqual(before);
    expect(await requests()).toBe(requestsBefore);
    expect((await db().collection(ledgerPath(broke.uid)).get()).size).toBe(0);
    for (const name of ["generateArt", "getProcessingStatus", "nextArtworks", "recordImpressions", "watchArtSession"])
      expect([name, await refusal(name, { sessionId: adaSession, requestId, artworkIds: [requestId] })]).toEqual([name, "UNAUTHENTICATED"]);
    await untilEnded(ada, requestId);
    const ended = (await db().doc(requestPath(requestId)).get()).data()!;
    expect(ended.status).toBe("done");
    // Kept 30 days after it ended (TTL on expireAt), the window of a clientRequestId retry.
    expect(Math.abs(ended.expireAt.toMillis() - ended.finishedAt.toMillis() - artRetention.endedRequestMs)).toBeLessThan(60_000);
  });

  it("skips unknown artworks in recordImpressions: nothing is written for them", async () => {
    const ids = [unique("no-such-art"), unique("no-such-art")];
    expect(await call("recordImpressions", { sessionId: adaSession, artworkIds: ids }, ada)).toEqual({ recorded: 0, unknown: 2 });
    const written = await db().getAll(...ids.map((id) => db().doc(impressionPath(ada.uid, id))));
    expect(written.map((d) => d.exists)).toEqual([false, false]);
  });

  it("answers a non-streaming watchArtSession with failed-precondition", async () => {
    expect(await refusal("watchArtSession", { sessionId: adaSession }, ada)).toBe("FAILED_PRECONDITION");
  });
});

describe("the pool", () => {
  it("never returns a pool artwork twice to a user, across two sessions called at once, and the own session's art comes first", async () => {
    const cy = await artist(unique("art-cy"), 3);
    const [s1, s2] = await Promise.all([startSession(cy), startSession(cy)]);
    const served: string[] = [];
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all([next(cy, s1, 5), next(cy, s2, 5)]);
      for (const a of answers) served.push(...a.artworks.map((w) => w.artworkId));
    }
    expect(served.length).toBeGreaterThan(0);
    expect(new Set(served).size).toBe(served.length);
    const { requestId } = await generate(cy, { sessionId: s1, prompt: "cy's own" });
    await untilEnded(cy, requestId);
    const own = await next(cy, s1, 5);
    expect(own.artworks[0]).toMatchObject({ artworkId: requestId, uid: cy.uid, sessionId: s1 });
    // Other users' artworks in the pool say nothing of who made them, or in which session.
    for (const w of own.artworks.slice(1)) if (w.uid !== cy.uid) expect(w).not.toHaveProperty("sessionId");
    const stranger = await artist(unique("art-dee"), 1);
    const seenByStranger = (await next(stranger, await startSession(stranger), 50)).artworks.filter((w) => w.artworkId === requestId);
    expect(seenByStranger).toHaveLength(1); // the newest artwork of the pool
    for (const w of seenByStranger) expect(Object.keys(w).sort()).toEqual(["artworkId", "createdAt", "imageUrl", "prompt"]);
    // The other session sees it only in its pool, once (it is cy's but not s2's fresh art).
    const inOther = [(await next(cy, s2, 50)).artworks, (await next(cy, s2, 50)).artworks].flat().filter((w) => w.artworkId === requestId);
    expect(inOther.length).toBeLessThanOrEqual(1);
  });

  it("keeps the statuses readable for the owner only while the worker runs", async () => {
    const { requestId } = await generate(bo, { sessionId: await startSession(bo), prompt: "status" });
    const status = await untilEnded(bo, requestId);
    expect(status.status).toBe("done");
    expect(await refusal("getProcessingStatus", { requestId }, ada)).toBe("NOT_FOUND");
  });
});
