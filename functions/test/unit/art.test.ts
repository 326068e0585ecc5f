import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Timestamp } from "firebase-admin/firestore";
import { PNG } from "pngjs";
import { bandsOf, bottomKey, compareKeys, coverBands, gapsOf, horizonOf, maxBands, type Band, type PoolKey } from "../../src/art/pool";
import { localProvider } from "../../src/art/providers/local";
import { openAiProvider } from "../../src/art/providers/openai";
import { describeInputs, ProviderError, type ArtInputs } from "../../src/art/providers/provider";
import { generateArtInput, recordImpressionsInput } from "../../src/art/schemas";

const key = (seconds: number, id = "!"): PoolKey => ({ t: new Timestamp(seconds, 0), id });
const band = (hi: number, lo: number): Band => ({ hi: key(hi), lo: key(lo) });

describe("the pool's bands", () => {
  it("orders keys by time, then id", () => {
    expect(compareKeys(key(1, "b"), key(1, "a"))).toBeGreaterThan(0);
    expect(compareKeys(key(1, "z"), key(2, "a"))).toBeLessThan(0);
    expect(compareKeys({ t: new Timestamp(1, 5), id: "" }, { t: new Timestamp(1, 4), id: "z" })).toBeGreaterThan(0);
  });

  it("lists the gaps around the bands, newest first", () => {
    expect(gapsOf([])).toEqual([{}]);
    expect(gapsOf([band(90, 80), band(50, 40)])).toEqual([{ below: key(90) }, { above: key(80), below: key(50) }, { above: key(40) }]);
  });

  const horizon = key(100);
  it("makes a band of a first scan, clipped at the horizon (keys newer than it are not settled)", () => {
    expect(coverBands([], new Map([[0, key(70, "x")]]), horizon)).toEqual([{ hi: horizon, lo: key(70, "x") }]);
    // Everything examined was newer than the horizon: no band (impressions cover those).
    expect(coverBands([], new Map([[0, key(120, "x")]]), horizon)).toEqual([]);
    // A pool scanned to its end: everything up to the horizon.
    expect(coverBands([], new Map([[0, "all"]]), horizon)).toEqual([{ hi: horizon, lo: bottomKey }]);
  });

  it("extends the band above a gap, and joins two bands when the gap between them is covered whole", () => {
    const bands = [band(90, 80), band(50, 40), band(20, 10)];
    expect(coverBands(bands, new Map([[1, key(60)]]), horizon)).toEqual([band(90, 60), band(50, 40), band(20, 10)]);
    expect(coverBands(bands, new Map([[1, "all"]]), horizon)).toEqual([band(90, 40), band(20, 10)]);
    expect(
      coverBands(
        bands,
        new Map([
          [0, "all"],
          [1, "all"],
          [2, "all"],
          [3, "all"],
        ]),
        horizon,
      ),
    ).toEqual([{ hi: horizon, lo: bottomKey }]);
    // A new band above the first, apart from it (gap 0 not covered whole).
    expect(coverBands(bands, new Map([[0, key(95)]]), horizon)).toEqual([{ hi: horizon, lo: key(95) }, ...bands]);
  });

  it(`keeps at most ${maxBands} bands, merging the oldest`, () => {
    const many = Array.from({ length: maxBands }, (_, i) => band(10_000 - i * 10, 10_000 - i * 10 - 5));
    const out = coverBands(many, new Map([[0, key(20_000)]]), key(30_000));
    expect(out).toHaveLength(maxBands);
    expect(out[maxBands - 1]!.lo).toEqual(many[maxBands - 1]!.lo);
    expect(out[maxBands - 2]!.hi).toEqual(many[maxBands - 3]!.hi);
  });

  it("reads unreadable stored bands as none, and sets the horizon a minute before the read", () => {
    expect(bandsOf([{ hi: 1, lo: 2 }])).toEqual([]);
    expect(bandsOf(undefined)).toEqual([]);
    expect(horizonOf(Timestamp.fromMillis(1_000_000)).t.toMillis()).toBe(940_000);
  });
});

describe("the local generator", () => {
  const inputs: ArtInputs = {
    prompt: "a lighthouse at dusk",
    audioAnalysis: { energy: 0.8, tempo: 128, valence: 0.3, spectrum: [0.1, 0.5, 0.9, 0.4, 0.2] },
    musicInfo: { title: "Tide", genre: "ambient" },
    preferences: { styles: ["watercolor"] },
  };
  // 64 px: pngjs is slow inside jest's VM (2 s for 512 px, 50 ms in a function); the e2e
  // suite (test/art) checks the 512 px pictures the functions make.
  const render = async (i: ArtInputs, size = 64) => {
    const progress: number[] = [];
    const image = await localProvider(size).generate(i, async (_stage, p) => void progress.push(p));
    return { image, progress };
  };

  it("renders a real PNG of its size, reporting its progress", async () => {
    const { image, progress } = await render(inputs);
    expect(image.contentType).toBe("image/png");
    const png = PNG.sync.read(image.bytes);
    expect([png.width, png.height, image.width, image.height]).toEqual([64, 64, 64, 64]);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(80);
    // Not one flat color: the picture holds many distinct pixels.
    const colors = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) colors.add(png.data.readUInt32BE(i));
    expect(colors.size).toBeGreaterThan(100);
  });

  it("is deterministic: the same inputs (in any field order) give the same bytes, other inputs other bytes", async () => {
    const a = (await render(inputs)).image.bytes;
    const reordered = {
      preferences: inputs.preferences,
      musicInfo: inputs.musicInfo,
      audioAnalysis: inputs.audioAnalysis,
      prompt: inputs.prompt,
    };
    expect((await render(reordered)).image.bytes.equals(a)).toBe(true);
    expect((await render({ ...inputs, prompt: "a lighthouse at dawn" })).image.bytes.equals(a)).toBe(false);
    expect((await render({ ...inputs, audioAnalysis: { ...inputs.audioAnalysis, energy: 0.1 } })).image.bytes.equals(a)).toBe(false);
  });
});

describe("generateArt's input", () => {
  const ok = { sessionId: "s1" };
  it.each([
    ["a prompt of 2,000 characters", true, { prompt: "p".repeat(2000) }],
    ["a prompt of 2,001 characters", false, { prompt: "p".repeat(2001) }],
    ["a prompt with a control character", false, { prompt: "a\u0007b" }],
    ["line breaks", true, { prompt: "a\nb" }],
    ["an audio analysis with arrays in arrays", true, { audioAnalysis: { frames: [[1, 2], [3]] } }],
    ["an audio analysis of 64 KB", true, { audioAnalysis: { s: "x".repeat(65_536 - 8) } }],
    ["an audio analysis over 64 KB", false, { audioAnalysis: { s: "x".repeat(65_536) } }],
    ["an audio analysis that is not an object", false, { audioAnalysis: [1, 2] }],
    ["an audio analysis 32 levels deep", true, { audioAnalysis: { a: JSON.parse("[".repeat(31) + "1" + "]".repeat(31)) as unknown } }],
    [
      "an audio analysis 2,000 levels deep (small, but zod's walk would overflow)",
      false,
      { audioAnalysis: { a: JSON.parse("[".repeat(2000) + "]".repeat(2000)) as unknown } },
    ],
    ["an unknown field", false, { previousVotes: [] }],
    ["an unknown musicInfo field", false, { musicInfo: { title: "t", lyrics: "..." } }],
    ["eleven styles", false, { preferences: { styles: Array.from({ length: 11 }, (_, i) => `s${i}`) } }],
    ["a short clientRequestId", false, { clientRequestId: "abc" }],
  ])("%s: accepted %s", (_what, accepted, fields) => {
    expect(generateArtInput.safeParse({ ...ok, ...fields }).success).toBe(accepted);
  });

  it("takes 1 to 100 impressions and drops repeats", () => {
    expect(recordImpressionsInput.parse({ sessionId: "s", artworkIds: ["a", "a", "b"] }).artworkIds).toEqual(["a", "b"]);
    expect(recordImpressionsInput.safeParse({ sessionId: "s", artworkIds: [] }).success).toBe(false);
    expect(recordImpressionsInput.safeParse({ sessionId: "s", artworkIds: Array.from({ length: 101 }, (_, i) => `a${i}`) }).success).toBe(
      false,
    );
  });
});

describe("the openai provider against a local stand-in of its API", () => {
  let reply: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => undefined;
  const seen: Array<{ url?: string; auth?: string; body: Record<string, unknown> }> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(body || "{}") as Record<string, unknown> });
      reply(req, body, res);
    });
  });
  let baseUrl = "";
  beforeAll(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => void (seen.length = 0));

  const provider = (apiKey = "sk-test") => openAiProvider({ baseUrl, apiKey, model: "gpt-image-1", size: "1024x1024", timeoutMs: 2000 });
  const answer = (status: number, body: unknown) =>
    (reply = (_req, _body, res) => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body)));
  const generate = (p = provider()) => p.generate({ prompt: "a fox", preferences: { styles: ["ukiyo-e"] } }, async () => undefined);
  const png = new PNG({ width: 2, height: 2 });

  it("sends the prompt with its styles to /v1/images/generations with the key, and returns the PNG", async () => {
    const bytes = PNG.sync.write(png);
    answer(200, { created: 1, data: [{ b64_json: bytes.toString("base64") }] });
    const image = await generate();
    expect(image).toMatchObject({ contentType: "image/png", width: 1024, height: 1024 });
    expect(image.bytes.equals(bytes)).toBe(true);
    expect(seen[0]).toMatchObject({ url: "/v1/images/generations", auth: "Bearer sk-test" });
    expect(seen[0]!.body).toMatchObject({ model: "gpt-image-1", n: 1, size: "1024x1024", output_format: "png" });
    expect(seen[0]!.body.prompt).toBe(describeInputs({ prompt: "a fox", preferences: { styles: ["ukiyo-e"] } }));
    expect(String(seen[0]!.body.prompt)).toContain("ukiyo-e");
  });

  it.each([
    ["a rate limit (429)", true, 429, { error: { message: "slow down", code: "rate_limit_exceeded" } }, /could not be generated/],
    ["a server error (500)", true, 500, { error: { message: "boom" } }, /could not be generated/],
    [
      "a refused prompt (400 moderation_blocked)",
      false,
      400,
      { error: { message: "no", code: "moderation_blocked" } },
      /refused this prompt/,
    ],
    ["a bad key (401)", false, 401, { error: { message: "bad key" } }, /unavailable/],
    ["an answer without an image", true, 200, { data: [] }, /could not be generated/],
    [
      "an answer that is not an image",
      true,
      200,
      { data: [{ b64_json: Buffer.from("<svg/>").toString("base64") }] },
      /could not be generated/,
    ],
  ])("classifies %s: retryable %s, and tells the user nothing of the API's text", async (_what, retryable, status, body, message) => {
    answer(status, body);
    const error = (await generate().catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect({ retryable: error.retryable }).toEqual({ retryable });
    expect(error.clientMessage).toMatch(message);
    expect(error.clientMessage).not.toMatch(/slow down|boom|bad key/);
  });

  it("fails without calling the API when no key is set, and retries a timeout", async () => {
    await expect(generate(provider(""))).rejects.toMatchObject({ retryable: false });
    expect(seen).toHaveLength(0);
    reply = () => undefined; // never answers
    const slow = openAiProvider({ baseUrl, apiKey: "k", model: "m", size: "1024x1024", timeoutMs: 100 });
    await expect(generate(slow)).rejects.toMatchObject({ retryable: true });
  });
});
