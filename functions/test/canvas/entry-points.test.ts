import { wireSize } from "../../src/canvas/element";
import { projectPath } from "../../src/canvas/model";
import { mediaS3Client } from "../../src/canvas/media/store";
import { s3UploadStore } from "../../src/canvas/media/uploads";
import { applyCanvasOps, maxPendingOps, maxProjectBytes } from "../../src/canvas/ops";
import { snapshotProject } from "../../src/canvas/snapshot";
import { callCallable, createUser, idTokenFor } from "../helpers/auth";
import { clearFirestore, db, triggersOffDuringSuite } from "../helpers/firestore";
import { liveElements } from "./harness";

// createCanvasProject and applyCanvasOps over HTTP with Auth-emulator ID tokens, as the
// editor calls them: what commits, what is refused, and that a refused call writes nothing.

type Op = { type: "upsert"; elementId: string; element: Record<string, unknown> } | { type: "delete"; elementId: string };
/** These ops refer to no media: the store is never called. */
const unusedStore = { endpoint: "http://127.0.0.1:9", region: "us-east-1", bucket: "unused", accessKeyId: "x", secretAccessKey: "x" };
const upsert = (elementId: string, element: Record<string, unknown> = { kind: "rect", x: 1 }): Op => ({
  type: "upsert",
  elementId,
  element,
});

describe("canvas editor callables", () => {
  let alice: string;
  let mallory: string;
  beforeAll(async () => {
    alice = await idTokenFor(await createUser("canvas-alice"));
    mallory = await idTokenFor(await createUser("canvas-mallory"));
  });
  triggersOffDuringSuite();
  beforeEach(clearFirestore);

  async function newProject(title?: string): Promise<string> {
    const { result, error } = await callCallable<{ projectId: string }>("createCanvasProject", title === undefined ? {} : { title }, alice);
    if (!result) throw new Error(`createCanvasProject: ${JSON.stringify(error)}`);
    return result.projectId;
  }
  const apply = (data: unknown, token = alice) => callCallable<{ opIndex: number }>("applyCanvasOps", data, token);
  const opIndexes = async (projectId: string) =>
    (
      await db()
        .collection(`${projectPath(projectId)}/ops`)
        .orderBy("index")
        .get()
    ).docs.map((d) => d.get("index") as number);

  it("creates a project owned by the caller, with a trimmed title", async () => {
    const projectId = await newProject("  My poster ");
    expect((await db().doc(projectPath(projectId)).get()).data()).toMatchObject({
      ownerUid: "canvas-alice",
      title: "My poster",
      opIndex: 0,
    });
  });

  it("applies a call's ops together with dense indexes and returns the next expectedOpIndex", async () => {
    const projectId = await newProject();
    expect(
      (await apply({ projectId, ops: [upsert("a"), upsert("b"), upsert("a", { kind: "text" }), { type: "delete", elementId: "b" }] }))
        .result,
    ).toEqual({
      opIndex: 4,
    });
    expect((await apply({ projectId, expectedOpIndex: 4, ops: [upsert("c")] })).result).toEqual({ opIndex: 5 });
    expect(await opIndexes(projectId)).toEqual([0, 1, 2, 3, 4]);
    expect(await liveElements(projectId)).toEqual({ a: { kind: "text" }, c: { kind: "rect", x: 1 } });
  });

  it("refuses a stale expectedOpIndex with failed-precondition, the current opIndex in the details, and writes nothing", async () => {
    const projectId = await newProject();
    await apply({ projectId, ops: [upsert("a"), upsert("b")] });
    const { error } = await apply({ projectId, expectedOpIndex: 1, ops: [upsert("c")] });
    expect(error).toMatchObject({ status: "FAILED_PRECONDITION", details: { opIndex: 2 } });
    expect(await opIndexes(projectId)).toEqual([0, 1]);
    expect(Object.keys(await liveElements(projectId))).toEqual(["a", "b"]);
  });

  it("lets concurrent calls through with dense, distinct indexes (each call's ops consecutive)", async () => {
    const projectId = await newProject();
    const calls = Array.from({ length: 12 }, (_, c) => Array.from({ length: 5 }, (_, i) => upsert(`c${c}-${i}`, { call: c, i })));
    // The library function: concurrent HTTP calls would measure the Functions emulator's
    // worker cold starts, not the transactions.
    const deps = { db: db(), uploads: s3UploadStore(mediaS3Client(unusedStore), "unused") };
    const results = await Promise.all(
      calls.map((ops) => applyCanvasOps(deps, "canvas-alice", { projectId, ops: ops as never }).then(() => undefined, String)),
    );
    expect(results).toEqual(results.map(() => undefined));
    expect(await opIndexes(projectId)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const ops = (
      await db()
        .collection(`${projectPath(projectId)}/ops`)
        .orderBy("index")
        .get()
    ).docs.map((d) => d.get("element").call as number);
    for (let start = 0; start < 60; start += 5) expect(new Set(ops.slice(start, start + 5)).size).toBe(1);
  });

  it("refuses another user's project with permission-denied, an unknown one with not-found, no sign-in with unauthenticated", async () => {
    const projectId = await newProject();
    expect((await apply({ projectId, ops: [upsert("x")] }, mallory)).error?.status).toBe("PERMISSION_DENIED");
    expect((await apply({ projectId: "nope", ops: [upsert("x")] })).error?.status).toBe("NOT_FOUND");
    expect((await callCallable("applyCanvasOps", { projectId, ops: [upsert("x")] })).error?.status).toBe("UNAUTHENTICATED");
    expect((await callCallable("createCanvasProject", {})).error?.status).toBe("UNAUTHENTICATED");
    expect(await opIndexes(projectId)).toEqual([]);
  });

  const deep = (levels: number): Record<string, unknown> => (levels === 0 ? { leaf: 1 } : { n: deep(levels - 1) });
  it.each([
    ["no ops", { ops: [] }],
    ["501 ops", { ops: Array.from({ length: 501 }, (_, i) => upsert(`e${i}`)) }],
    ["an unknown op type", { ops: [{ type: "move", elementId: "a" }] }],
    ["an element id with a slash", { ops: [upsert("a/b")] }],
    ["a reserved element id", { ops: [upsert("__a__")] }],
    ["an element id over 256 bytes", { ops: [upsert("é".repeat(129))] }],
    ["an element that is not an object", { ops: [{ type: "upsert", elementId: "a", element: [1, 2] }] }],
    ["an element over 256 KiB", { ops: [upsert("a", { text: "x".repeat(270_000) })] }],
    ["elements over 4 MiB together", { ops: Array.from({ length: 20 }, (_, i) => upsert(`e${i}`, { text: "x".repeat(250_000) })) }],
    ["an array inside an array", { ops: [upsert("a", { points: [[1, 2]] })] }],
    ["a reserved field name", { ops: [upsert("a", { __name__: 1 })] }],
    ["an empty field name", { ops: [upsert("a", { "": 1 })] }],
    ["nesting deeper than a snapshot can hold", { ops: [upsert("a", deep(16))] }],
    ["an element of over 10,000 values", { ops: [upsert("a", { points: Array.from({ length: 10_001 }, () => 1) })] }],
    [
      "an element of 30,000 nulls (values, not bytes, are the bound)",
      { ops: [upsert("a", { pad: Array.from({ length: 30_000 }, () => null) })] },
    ],
    ["mediaIds that are not ids", { ops: [upsert("a", { mediaIds: ["a/b"] })] }],
    ["repeated mediaIds", { ops: [upsert("a", { mediaIds: ["m1", "m1"] })] }],
    ["a negative expectedOpIndex", { expectedOpIndex: -1, ops: [upsert("a")] }],
    ["an unknown field", { ops: [upsert("a")], force: true }],
  ])("refuses %s with invalid-argument and writes nothing", async (_label, data) => {
    const projectId = await newProject();
    const { error } = await apply({ projectId, ...data });
    expect(error?.status).toBe("INVALID_ARGUMENT");
    expect(error?.message).not.toMatch(/at .*\.js|Error:/); // a description, not a stack
    expect(await opIndexes(projectId)).toEqual([]);
  });

  it("snapshots an element at the deepest nesting allowed", async () => {
    const projectId = await newProject();
    expect((await apply({ projectId, ops: [upsert("deep", deep(15))] })).error).toBeUndefined();
    const report = await snapshotProject({ db: db(), now: Date.now }, projectId);
    expect(report.outcome).toBe("snapshotted");
  });

  it("keeps liveBytes, the size of the live elements, and refuses a call past the project's cap", async () => {
    const projectId = await newProject();
    await apply({ projectId, ops: [upsert("a", { t: "x".repeat(1000) }), upsert("b"), upsert("c"), { type: "delete", elementId: "b" }] });
    const live = await liveElements(projectId);
    const liveBytes = () =>
      db()
        .doc(projectPath(projectId))
        .get()
        .then((d) => d.get("liveBytes") as number);
    expect(await liveBytes()).toBe(Object.values(live).reduce((sum, el) => sum + wireSize(el).bytes, 0));
    await db()
      .doc(projectPath(projectId))
      .update({ liveBytes: maxProjectBytes - 100 });
    const { error } = await apply({ projectId, ops: [upsert("d", { t: "x".repeat(200) })] });
    expect(error?.status).toBe("RESOURCE_EXHAUSTED");
    expect(await opIndexes(projectId)).toEqual([0, 1, 2, 3]);
  });

  it("refuses ops past the pending-ops bound until a snapshot is taken", async () => {
    const projectId = await newProject();
    await db()
      .doc(projectPath(projectId))
      .update({ opIndex: maxPendingOps - 1 }); // as if the job had not run
    expect((await apply({ projectId, ops: [upsert("a")] })).result).toEqual({ opIndex: maxPendingOps });
    expect((await apply({ projectId, ops: [upsert("b")] })).error?.status).toBe("RESOURCE_EXHAUSTED");
  });

  it.each([
    ["a title over 200 characters", { title: "t".repeat(201) }],
    ["a title with a control character", { title: "a\u0000b" }],
    ["a title that is not a string", { title: 5 }],
    ["an unknown field", { owner: "x" }],
  ])("createCanvasProject refuses %s with invalid-argument", async (_label, data) => {
    expect((await callCallable("createCanvasProject", data, alice)).error?.status).toBe("INVALID_ARGUMENT");
    expect((await db().collection("canvasProjects").get()).size).toBe(0);
  });
});
