import { canvasElement, storableProblem } from "../../src/canvas/element";
import { mediaS3Client } from "../../src/canvas/media/store";
import { s3UploadStore } from "../../src/canvas/media/uploads";
import { applyOpsInput } from "../../src/canvas/ops";

describe("canvas elements: what Firestore can store", () => {
  it.each([
    [{ kind: "rect", x: 1.5, points: [{ x: 1 }, { y: 2 }], style: { dash: [1, 2] }, label: null, ok: true }, undefined],
    [{ points: [[1, 2]] }, /array directly inside an array/],
    [{ __name__: 1 }, /field name/],
    [{ "": 1 }, /field name/],
    [{ ["k".repeat(257)]: 1 }, /field name/],
    [{ s: "\uD800" }, /not valid UTF-8/],
    [{ n: Number.POSITIVE_INFINITY }, /not finite/],
  ])("%j -> %s", (element, problem) => {
    const found = storableProblem(element);
    if (problem) expect(found).toMatch(problem);
    else expect(found).toBeUndefined();
  });

  it("allows 16 levels of maps, so a snapshot (3 levels more) stays within Firestore's 20", () => {
    const deep = (levels: number): Record<string, unknown> => (levels === 0 ? { leaf: 1 } : { n: deep(levels - 1) });
    expect(storableProblem(deep(15))).toBeUndefined();
    expect(storableProblem(deep(16))).toMatch(/deeper/);
  });

  it("checks mediaIds and the element's size", () => {
    expect(canvasElement.safeParse({ mediaIds: ["m1", "m2"] }).success).toBe(true);
    expect(canvasElement.safeParse({ mediaIds: "m1" }).success).toBe(false);
    expect(canvasElement.safeParse({ mediaIds: Array.from({ length: 33 }, (_, i) => `m${i}`) }).success).toBe(false);
    expect(canvasElement.safeParse({ text: "x".repeat(270_000) }).success).toBe(false);
  });

  it("limits a call to 100 distinct media and 4 MiB of elements", () => {
    const upsert = (i: number, element: Record<string, unknown>) => ({ type: "upsert", elementId: `e${i}`, element });
    const media = Array.from({ length: 101 }, (_, i) => upsert(i, { mediaIds: [`m${i}`] }));
    expect(applyOpsInput.safeParse({ projectId: "p", ops: media }).success).toBe(false);
    expect(applyOpsInput.safeParse({ projectId: "p", ops: media.slice(0, 100) }).success).toBe(true);
  });
});

describe("presigned media uploads", () => {
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
  const client = mediaS3Client({ endpoint: "https://s3.example.test", region: "us-east-1", bucket: "media", ...credentials });
  afterAll(() => client.destroy());
  const at = new Date("2026-11-22T10:00:00Z");

  it("signs content type and length, for 15 minutes: the same URL for another type or size has another signature", async () => {
    const store = s3UploadStore(client, "media", () => at);
    const url = new URL(await store.presignPut("canvas/u1/m1", "image/png", 1000, 900));
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("900");
    const signature = async (type: string, size: number) =>
      new URL(await store.presignPut("canvas/u1/m1", type, size, 900)).searchParams.get("X-Amz-Signature");
    expect(await signature("image/png", 1000)).toBe(url.searchParams.get("X-Amz-Signature"));
    expect(await signature("image/png", 1001)).not.toBe(url.searchParams.get("X-Amz-Signature"));
    expect(await signature("image/jpeg", 1000)).not.toBe(url.searchParams.get("X-Amz-Signature"));
  });
});
