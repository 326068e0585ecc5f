import { collection, onSnapshot, orderBy, query, where, type DocumentData } from "firebase/firestore";
import type { FunctionsError } from "firebase/functions";
import { canvasMedia } from "../../src/canvas/media/model";
import { mediaS3Client } from "../../src/canvas/media/store";
import { s3UploadStore } from "../../src/canvas/media/uploads";
import { s3rverCredentials } from "../../tools/media/s3-server";
import { createAdmin, createUser } from "../helpers/auth";
import { dayMs } from "../helpers/clock";
import { layout } from "../helpers/emulators";
import { signedInApp, type SignedInApp } from "../helpers/sdk";
import { canvasProjects } from "../../src/canvas/model";
import { maintenanceCursors } from "../../src/maintenance/cursors";
import { clearCollections, db, suiteWithTriggers } from "../helpers/firestore";
import { fireScheduledJob } from "../helpers/schedule";
import { waitFor } from "../helpers/wait";
import { liveElements } from "./harness";

// The canvas editor end to end as an app runs it: the Firebase JS SDK signed in through the
// Auth emulator, callables through the Functions emulator, a second tab listening to the op
// log, media uploaded to the presigned URL, and the jobs run on schedule and by an admin.

const client = mediaS3Client({ endpoint: `http://${layout.hosts.s3}`, region: "us-east-1", bucket: "fresco-media", ...s3rverCredentials });
const objects = s3UploadStore(client, "fresco-media");

type Editor = SignedInApp;
type Page = { elements: Record<string, unknown>; nextCursor: string | null; opIndex: number; snapshotOpIndex: number };

describe("the canvas editor through the Firebase JS SDK", () => {
  let tab1: Editor;
  let tab2: Editor;
  let admin: Editor;
  // Its jobs fire through the emulator (triggers on); canvas collections have no trigger.
  suiteWithTriggers();
  beforeAll(async () => {
    await clearCollections([canvasProjects, canvasMedia, maintenanceCursors]);
    await createUser("editor-sdk");
    await createAdmin("editor-sdk-admin");
    tab1 = await signedInApp("tab1", "editor-sdk");
    tab2 = await signedInApp("tab2", "editor-sdk");
    admin = await signedInApp("admin", "editor-sdk-admin");
  });
  afterAll(async () => {
    for (const app of [tab1, tab2, admin]) await app?.close();
    client.destroy();
  });

  async function loadAll(projectId: string): Promise<Page> {
    const first = await tab1.call<Page>("loadCanvasProject", { projectId });
    for (let cursor = first.nextCursor; cursor;) {
      const next = await tab1.call<Page>("loadCanvasProject", { projectId, cursor });
      Object.assign(first.elements, next.elements);
      cursor = next.nextCursor;
    }
    return first;
  }

  it("creates a project, applies 250 ops in batches while a second tab follows, snapshots on schedule and on demand, and loads what is live", async () => {
    const { projectId } = await tab1.call<{ projectId: string }>("createCanvasProject", { title: "poster" });
    const seen = new Map<number, DocumentData>();
    const stop = onSnapshot(
      query(collection(tab2.firestore, `canvasProjects/${projectId}/ops`), where("index", ">=", 0), orderBy("index")),
      (snap) => snap.docs.forEach((d) => seen.set(d.get("index") as number, d.data())),
    );
    try {
      let opIndex = 0;
      for (let batch = 0; batch < 5; batch++) {
        const ops = Array.from({ length: 50 }, (_, i) => {
          const n = batch * 50 + i;
          return n % 5 === 4
            ? { type: "delete", elementId: `el-${(n * 7) % 60}` }
            : { type: "upsert", elementId: `el-${(n * 7) % 60}`, element: { kind: "rect", x: n, style: { fill: `#${n}` } } };
        });
        ({ opIndex } = await tab1.call<{ opIndex: number }>("applyCanvasOps", { projectId, expectedOpIndex: opIndex, ops }));
      }
      expect(opIndex).toBe(250);
      await waitFor(() => seen.size === 250 || undefined, { timeoutMs: 10_000, what: "the second tab to see 250 ops" });
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    } finally {
      stop();
    }
    const stale = await tab1
      .call("applyCanvasOps", { projectId, expectedOpIndex: 3, ops: [{ type: "delete", elementId: "el-1" }] })
      .catch((e: FunctionsError) => e);
    expect(stale).toMatchObject({ code: "functions/failed-precondition", details: { opIndex: 250 } });

    const { run } = await fireScheduledJob("snapshotCanvasProjects");
    expect(run.counts).toMatchObject({ snapshotted: 1 });
    const ops = Array.from({ length: 100 }, (_, i) => ({ type: "upsert", elementId: `late-${i % 30}`, element: { kind: "text", i } }));
    await tab1.call("applyCanvasOps", { projectId, ops });
    const onDemand = await admin.call<{ counts: Record<string, number> }>("runMaintenanceJob", { job: "snapshotCanvasProjects" });
    expect(onDemand.counts).toMatchObject({ snapshotted: 1 });
    await tab1.call("applyCanvasOps", { projectId, ops: [{ type: "delete", elementId: "late-0" }] });

    const loaded = await loadAll(projectId);
    expect(loaded).toMatchObject({ opIndex: 351, snapshotOpIndex: 350 });
    expect(loaded.elements).toEqual(await liveElements(projectId));
  });

  it("uploads media to the presigned URL, references it, and the collector deletes it once unreferenced and past the TTL, never while referenced", async () => {
    const { projectId } = await tab1.call<{ projectId: string }>("createCanvasProject", {});
    const uploadOne = async () => {
      const body = Buffer.alloc(3000, 7);
      const created = await tab1.call<{ mediaId: string; uploadUrl: string }>("createCanvasMediaUpload", {
        projectId,
        contentType: "image/png",
        sizeBytes: body.length,
      });
      expect((await fetch(created.uploadUrl, { method: "PUT", headers: { "content-type": "image/png" }, body })).status).toBe(200);
      return created.mediaId;
    };
    const dropped = await uploadOne();
    const kept = await uploadOne();
    const image = (id: string) => ({ kind: "image", mediaIds: [id] });
    await tab1.call("applyCanvasOps", {
      projectId,
      ops: [
        { type: "upsert", elementId: "a", element: image(dropped) },
        { type: "upsert", elementId: "b", element: image(kept) },
      ],
    });
    await tab1.call("applyCanvasOps", { projectId, ops: [{ type: "upsert", elementId: "a", element: { kind: "rect" } }] });
    const record = (id: string) => db().collection(canvasMedia).doc(id);
    const longAgo = new Date(Date.now() - 31 * dayMs); // created, and for `dropped` unreferenced, past the TTL
    for (const id of [dropped, kept]) await record(id).update({ createdAt: longAgo });
    await record(dropped).update({ unreferencedAt: longAgo });
    const paths = await Promise.all([dropped, kept].map(async (id) => (await record(id).get()).get("storagePath") as string));

    const gc = await admin.call<{ counts: Record<string, number> }>("runMaintenanceJob", { job: "collectCanvasMedia" });
    expect(gc.counts).toMatchObject({ deleted: 1, errors: 0 });
    expect((await record(dropped).get()).exists).toBe(false);
    expect(await objects.stat(paths[0]!)).toBeUndefined();
    expect((await record(kept).get()).get("referencedByCount")).toBe(1);
    expect(await objects.stat(paths[1]!)).toEqual({ sizeBytes: 3000, contentType: "image/png" });

    // An unreferenced media the collector has claimed (deletingAt, as its claiming transaction
    // sets it) can no longer be referenced: its object may be gone any moment.
    const claimed = await uploadOne();
    await record(claimed).update({ deletingAt: new Date(), deletingBy: "another-run" });
    const refused = await tab1
      .call("applyCanvasOps", { projectId, ops: [{ type: "upsert", elementId: "c", element: image(claimed) }] })
      .catch((e: FunctionsError) => e);
    expect(refused).toMatchObject({ code: "functions/failed-precondition", details: { mediaId: claimed } });
    expect((await record(claimed).get()).get("referencedByCount")).toBe(0);
  });
});
