import { HttpsError } from "firebase-functions/https";
import { mediaGcJob } from "../../../src/canvas/media/gc";
import { canvasMedia } from "../../../src/canvas/media/model";
import { mediaS3Client, s3MediaStore } from "../../../src/canvas/media/store";
import { s3UploadStore } from "../../../src/canvas/media/uploads";
import { applyCanvasOps } from "../../../src/canvas/ops";
import { s3rverCredentials } from "../../../tools/media/s3-server";
import { callCallable, createUser, idTokenFor } from "../../helpers/auth";
import { dayMs } from "../../helpers/clock";
import { layout } from "../../helpers/emulators";
import { clearFirestore, db, triggersOffDuringSuite } from "../../helpers/firestore";
import { wrapStore } from "./harness";

// createCanvasMediaUpload and the references applyCanvasOps takes, over HTTP against the
// stack's S3 store (the one the functions use), and the race with collectCanvasMedia.

const bucket = "fresco-media"; // the stack's bucket (MEDIA_BUCKET)
const s3Settings = { endpoint: `http://${layout.hosts.s3}`, region: "us-east-1", bucket, ...s3rverCredentials };
const client = mediaS3Client(s3Settings);
const uploads = s3UploadStore(client, bucket);
const png = (size: number) => Buffer.alloc(size, 0x89);

describe("canvas media uploads and references", () => {
  let alice: string;
  let mallory: string;
  let projectId: string;
  beforeAll(async () => {
    alice = await idTokenFor(await createUser("media-alice"));
    mallory = await idTokenFor(await createUser("media-mallory"));
  });
  afterAll(() => client.destroy());
  triggersOffDuringSuite();
  beforeEach(async () => {
    await clearFirestore();
    projectId = (await callCallable<{ projectId: string }>("createCanvasProject", {}, alice)).result!.projectId;
  });

  async function upload(size = 2048, contentType = "image/png", body = png(size)): Promise<string> {
    const { result, error } = await callCallable<{ mediaId: string; uploadUrl: string }>(
      "createCanvasMediaUpload",
      { projectId, contentType, sizeBytes: size },
      alice,
    );
    if (!result) throw new Error(JSON.stringify(error));
    const put = await fetch(result.uploadUrl, { method: "PUT", headers: { "content-type": contentType }, body });
    expect(put.status).toBe(200);
    return result.mediaId;
  }
  const apply = (ops: unknown[], token = alice) => callCallable<{ opIndex: number }>("applyCanvasOps", { projectId, ops }, token);
  const withMedia = (elementId: string, ...mediaIds: string[]) => ({ type: "upsert", elementId, element: { kind: "image", mediaIds } });
  const count = async (mediaId: string) => (await db().collection(canvasMedia).doc(mediaId).get()).get("referencedByCount") as number;
  const opIndex = async () => (await db().doc(`canvasProjects/${projectId}`).get()).get("opIndex") as number;

  it("records an upload and presigns a 15-minute PUT bound to its type and size", async () => {
    const before = Date.now();
    const { result } = await callCallable<{ mediaId: string; uploadUrl: string; expiresAt: string }>(
      "createCanvasMediaUpload",
      { projectId, contentType: "image/webp", sizeBytes: 5000 },
      alice,
    );
    const url = new URL(result!.uploadUrl);
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(Date.parse(result!.expiresAt) - before).toBeGreaterThanOrEqual(899_000);
    expect((await db().collection(canvasMedia).doc(result!.mediaId).get()).data()).toMatchObject({
      ownerUid: "media-alice",
      projectId,
      contentType: "image/webp",
      sizeBytes: 5000,
      referencedByCount: 0,
      storagePath: `canvas/media-alice/${result!.mediaId}`,
    });
  });

  it.each([
    ["an SVG", { contentType: "image/svg+xml", sizeBytes: 10 }],
    ["a non-image", { contentType: "text/html", sizeBytes: 10 }],
    ["a size over the cap", { contentType: "image/png", sizeBytes: 20 * 1024 * 1024 + 1 }],
    ["a zero size", { contentType: "image/png", sizeBytes: 0 }],
    ["a fractional size", { contentType: "image/png", sizeBytes: 1.5 }],
  ])("refuses %s with invalid-argument and records nothing", async (_label, data) => {
    expect((await callCallable("createCanvasMediaUpload", { projectId, ...data }, alice)).error?.status).toBe("INVALID_ARGUMENT");
    expect((await db().collection(canvasMedia).get()).size).toBe(0);
  });

  it("refuses an upload into another user's project, or an unknown one", async () => {
    const data = { contentType: "image/png", sizeBytes: 10 };
    expect((await callCallable("createCanvasMediaUpload", { projectId, ...data }, mallory)).error?.status).toBe("PERMISSION_DENIED");
    expect((await callCallable("createCanvasMediaUpload", { projectId: "nope", ...data }, alice)).error?.status).toBe("NOT_FOUND");
    expect((await db().collection(canvasMedia).get()).size).toBe(0);
  });

  it("counts references as elements start and stop using a media: upsert, replace, delete", async () => {
    const m = await upload();
    expect((await apply([withMedia("a", m), withMedia("b", m)])).error).toBeUndefined();
    expect(await count(m)).toBe(2);
    expect((await db().collection(canvasMedia).doc(m).get()).get("uploadedAt")).toBeDefined();
    await apply([withMedia("a", m)]); // unchanged: still one reference from a
    expect(await count(m)).toBe(2);
    await apply([{ type: "upsert", elementId: "a", element: { kind: "rect" } }]);
    expect(await count(m)).toBe(1);
    await apply([{ type: "delete", elementId: "b" }]);
    expect(await count(m)).toBe(0);
    await apply([withMedia("c", m), { type: "delete", elementId: "c" }]); // taken and given back in one call
    expect(await count(m)).toBe(0);
  });

  // Concurrency through the library function on the real emulator: the Functions emulator
  // starts a worker per concurrent request, so 16 concurrent HTTP calls measure its cold
  // starts (over a minute on a fresh CI machine), not the transactions.
  it("keeps counts exact under concurrent calls on the same media", async () => {
    const m = await upload();
    const deps = { db: db(), uploads };
    const applyNow = (ops: unknown[]) =>
      applyCanvasOps(deps, "media-alice", { projectId, ops: ops as never }).then(
        () => undefined,
        (e: unknown) => String(e),
      );
    const first = await Promise.all(Array.from({ length: 16 }, (_, i) => applyNow([withMedia(`e${i}`, m)])));
    expect(first).toEqual(first.map(() => undefined));
    expect(await count(m)).toBe(16);
    const mixed = await Promise.all(
      Array.from({ length: 16 }, (_, i) => applyNow(i % 2 === 0 ? [{ type: "delete", elementId: `e${i}` }] : [withMedia(`f${i}`, m)])),
    );
    expect(mixed).toEqual(mixed.map(() => undefined));
    const live = await db().collection(`canvasProjects/${projectId}/elements`).get();
    expect(await count(m)).toBe(live.docs.filter((d) => (d.get("mediaIds") as string[] | undefined)?.includes(m)).length);
    expect(await count(m)).toBe(16);
  });

  it.each([
    [
      "never uploaded",
      "FAILED_PRECONDITION",
      async () =>
        (await callCallable<{ mediaId: string }>("createCanvasMediaUpload", { projectId, contentType: "image/png", sizeBytes: 100 }, alice))
          .result!.mediaId,
    ],
    [
      "uploaded with another size than declared",
      "FAILED_PRECONDITION",
      async () => {
        const { result } = await callCallable<{ mediaId: string; uploadUrl: string }>(
          "createCanvasMediaUpload",
          { projectId, contentType: "image/png", sizeBytes: 100 },
          alice,
        );
        await fetch(result!.uploadUrl, { method: "PUT", headers: { "content-type": "image/png" }, body: png(5000) });
        return result!.mediaId;
      },
    ],
    [
      "claimed by the garbage collector",
      "FAILED_PRECONDITION",
      async () => {
        const m = await upload();
        await db().collection(canvasMedia).doc(m).update({ deletingAt: new Date(), deletingBy: "gc-run" });
        return m;
      },
    ],
    ["unknown", "NOT_FOUND", async () => "no-such-media"],
  ])("refuses a reference to media %s, and the whole call writes nothing", async (_label, status, media) => {
    const m = await media();
    await apply([{ type: "upsert", elementId: "keep", element: { kind: "rect" } }]);
    const { error } = await apply([{ type: "upsert", elementId: "x", element: { kind: "rect" } }, withMedia("y", m)]);
    expect(error).toMatchObject({ status, details: { mediaId: m } });
    expect(await opIndex()).toBe(1);
    expect((await db().collection(`canvasProjects/${projectId}/elements`).get()).docs.map((d) => d.id)).toEqual(["keep"]);
    if (status !== "NOT_FOUND") expect(await count(m)).toBe(0);
  });

  it("refuses a 51st upload not yet used on a canvas (resource-exhausted); using one frees a place", async () => {
    const batch = db().batch();
    for (let i = 0; i < 49; i++)
      batch.set(db().collection(canvasMedia).doc(`pending-${i}`), {
        storagePath: `canvas/media-alice/pending-${i}`,
        referencedByCount: 0,
        ownerUid: "media-alice",
        sizeBytes: 10,
        createdAt: new Date(),
        pendingUpload: true,
      });
    await batch.commit();
    const fiftieth = await upload();
    const more = () => callCallable("createCanvasMediaUpload", { projectId, contentType: "image/png", sizeBytes: 2048 }, alice);
    expect((await more()).error?.status).toBe("RESOURCE_EXHAUSTED");
    expect((await apply([withMedia("a", fiftieth)])).error).toBeUndefined();
    expect((await more()).error).toBeUndefined();
  });

  it("refuses a call that changes the counts of over 200 media (deletes give references back too)", async () => {
    const ids = Array.from({ length: 210 }, (_, i) => `seeded-${i}`);
    const batch = db().batch();
    for (const id of ids)
      batch.set(db().collection(canvasMedia).doc(id), {
        storagePath: `canvas/media-alice/${id}`,
        referencedByCount: 0,
        ownerUid: "media-alice",
        sizeBytes: 10,
        createdAt: new Date(),
        uploadedAt: new Date(),
      });
    await batch.commit();
    for (let e = 0; e < 3; e++)
      expect(
        (
          await apply([
            withMedia(`e${e}`, ...ids.slice(e * 70, e * 70 + 30)),
            withMedia(`f${e}`, ...ids.slice(e * 70 + 30, e * 70 + 60)),
            withMedia(`g${e}`, ...ids.slice(e * 70 + 60, e * 70 + 70)),
          ])
        ).error,
      ).toBeUndefined();
    const all = ["e", "f", "g"].flatMap((p) => [0, 1, 2].map((e) => ({ type: "delete", elementId: `${p}${e}` })));
    expect((await apply(all)).error?.status).toBe("INVALID_ARGUMENT");
    expect(await count(ids[0]!)).toBe(1);
    expect((await apply(all.slice(0, 3))).error).toBeUndefined();
  });

  it("refuses another user's media with permission-denied", async () => {
    const m = await upload();
    const other = (await callCallable<{ projectId: string }>("createCanvasProject", {}, mallory)).result!.projectId;
    const { error } = await callCallable("applyCanvasOps", { projectId: other, ops: [withMedia("a", m)] }, mallory);
    expect(error?.status).toBe("PERMISSION_DENIED");
    expect(await count(m)).toBe(0);
  });

  it("refuses a reference taken while the collector holds its claim; the collector then deletes object and record", async () => {
    const m = await upload();
    const record = db().collection(canvasMedia).doc(m);
    await record.update({ createdAt: new Date(Date.now() - 31 * dayMs) }); // past the TTL
    const storagePath = (await record.get()).get("storagePath") as string;
    const attempts: Array<string | undefined> = [];
    // The GC's first HEAD comes after its claim: an editor's call lands exactly then.
    const { store } = wrapStore(s3MediaStore(client, bucket), async (_path, call) => {
      if (call !== 1) return;
      const refused = await applyCanvasOps({ db: db(), uploads }, "media-alice", { projectId, ops: [withMedia("late", m) as never] }).then(
        () => undefined,
        (e: HttpsError) => e.code,
      );
      attempts.push(refused);
    });
    const run = await mediaGcJob(store, { ttlDays: 30, batchSize: 10 }).run({ db: db(), now: Date.now }, { dryRun: false });
    expect(attempts).toEqual(["failed-precondition"]);
    expect(run.counts).toMatchObject({ deleted: 1, errors: 0 });
    expect((await record.get()).exists).toBe(false);
    expect(await uploads.stat(storagePath)).toBeUndefined();
    expect(await opIndex()).toBe(0);
  });

  it("the collector keeps a referenced media past the TTL, object included, and takes it once the reference is gone", async () => {
    const m = await upload();
    await apply([withMedia("a", m)]);
    const record = db().collection(canvasMedia).doc(m);
    await record.update({ createdAt: new Date(Date.now() - 31 * dayMs) });
    const storagePath = (await record.get()).get("storagePath") as string;
    const gc = () =>
      mediaGcJob(s3MediaStore(client, bucket), { ttlDays: 30, batchSize: 10 }).run({ db: db(), now: Date.now }, { dryRun: false });
    expect((await gc()).counts).toMatchObject({ deleted: 0 });
    expect(await uploads.stat(storagePath)).toEqual({ sizeBytes: 2048, contentType: "image/png" });
    await apply([{ type: "delete", elementId: "a" }]);
    // The TTL runs from the moment the last reference went: an undo still finds it.
    expect((await gc()).counts).toMatchObject({ deleted: 0 });
    expect(await uploads.stat(storagePath)).toBeDefined();
    await record.update({ unreferencedAt: new Date(Date.now() - 31 * dayMs) });
    expect((await gc()).counts).toMatchObject({ deleted: 1 });
    expect(await uploads.stat(storagePath)).toBeUndefined();
    expect((await record.get()).exists).toBe(false);
  });
});
