import { serverTimestamp, Timestamp } from "firebase/firestore";

// Items of generationHistory/{uid}/items/{historyId}, valid and invalid, as the apps would
// write them (client SDK values: serverTimestamp() for the times). The rules tests use them,
// and so can a test that checks the server-side schema (src/mirror/source.ts) agrees with the
// rules: every `shape` case below is malformed data that the schema should reject too.

export type Data = Record<string, unknown>;

/** The bounds firestore.rules enforces on an item. */
export const LIMITS = {
  promptBytes: 3000,
  modelBytes: 200,
  usernameChars: 100,
  urlChars: 2048,
  /** Sum of every URL of an item: media url/thumbnailUrl/avifUrl and createdBy.photoURL. */
  urlBudgetChars: 6144,
  images: 4,
  videos: 2,
  dimension: 16384,
  durationMs: 3_600_000,
} as const;

/** Applies overrides to top-level keys; a key overridden with `undefined` is removed. */
function apply(base: Data, overrides: Data): Data {
  const out: Data = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete out[key];
  return out;
}

/** An https URL of exactly `length` characters (URL characters only). */
export function urlOfLength(length: number, tag = "u"): string {
  const prefix = `https://cdn.example/${tag}/`;
  if (length < prefix.length) throw new Error(`a URL with prefix ${prefix} needs at least ${prefix.length} characters`);
  return prefix + "a".repeat(length - prefix.length);
}

/** A string of exactly `bytes` UTF-8 bytes: `unit` repeated, padded with ASCII. */
export function textOfBytes(bytes: number, unit = "é"): string {
  const unitBytes = Buffer.byteLength(unit, "utf8");
  const text = unit.repeat(Math.floor(bytes / unitBytes));
  return text + "a".repeat(bytes - Buffer.byteLength(text, "utf8"));
}

export const PHOTO_URL = "https://cdn.example/alice.png";

export function image(overrides: Data = {}): Data {
  return apply({ url: "https://cdn.example/fox.png", width: 1024, height: 1024 }, overrides);
}

export function video(overrides: Data = {}): Data {
  return apply({ url: "https://cdn.example/fox.mp4", width: 1280, height: 720, durationMs: 4000 }, overrides);
}

/** A valid item with every field a client may write (times are serverTimestamp()). */
export function validItem(uid: string, overrides: Data = {}): Data {
  return apply(
    {
      prompt: "a red fox in the snow",
      model: "flux-1",
      images: [image()],
      videos: [video()],
      isPublic: true,
      isDeleted: false,
      createdAt: serverTimestamp(),
      updatedAt: serverTimestamp(),
      createdBy: { uid, username: "alice", photoURL: PHOTO_URL },
    },
    overrides,
  );
}

/** The smallest valid item: the required fields only. */
export function minimalItem(uid: string): Data {
  return { prompt: "", model: "m", createdAt: serverTimestamp(), updatedAt: serverTimestamp(), createdBy: { uid } };
}

/** Lengths that add up to `total`, none over the per-URL limit. */
function splitLengths(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** Overrides whose URLs (with the default photoURL) add up to exactly `total` characters,
 *  spread over one image's url, thumbnailUrl and avifUrl. */
export function urlsTotalling(total: number): Data {
  const [url, thumbnailUrl, avifUrl] = splitLengths(total - PHOTO_URL.length, 3);
  if (avifUrl! > LIMITS.urlChars) throw new Error("total too large for one image");
  return {
    images: [image({ url: urlOfLength(url!, "i"), thumbnailUrl: urlOfLength(thumbnailUrl!, "t"), avifUrl: urlOfLength(avifUrl!, "a") })],
    videos: [],
  };
}

/** The largest item the rules accept: every field at its bound, 4 images and 2 videos with
 *  every URL, and the URLs using exactly the whole budget. */
export function maxItem(uid: string): Data {
  const lengths = splitLengths(LIMITS.urlBudgetChars, LIMITS.images * 3 + LIMITS.videos * 3 + 1);
  const next = (tag: string) => urlOfLength(lengths.pop()!, tag);
  const media = (i: number) => ({
    url: next(`m${i}`),
    thumbnailUrl: next(`t${i}`),
    avifUrl: next(`a${i}`),
    width: LIMITS.dimension,
    height: LIMITS.dimension,
  });
  return {
    // The worst case for a JSON page: every character of the prompt, model and username is
    // one that JSON escapes (a quote), so each takes 2 bytes there.
    prompt: '"'.repeat(LIMITS.promptBytes),
    model: '"'.repeat(LIMITS.modelBytes),
    images: Array.from({ length: LIMITS.images }, (_, i) => media(i)),
    videos: Array.from({ length: LIMITS.videos }, (_, i) => ({ ...media(10 + i), durationMs: LIMITS.durationMs - 0.5 })),
    isPublic: true,
    isDeleted: false,
    createdAt: serverTimestamp(),
    updatedAt: serverTimestamp(),
    createdBy: { uid, username: '"'.repeat(LIMITS.usernameChars), photoURL: next("p") },
  };
}

/** Items at (not over) each bound: the rules accept them, and the schema should too. */
export const validVariants: Array<{ name: string; overrides: (uid: string) => Data }> = [
  { name: "a prompt of 3000 ASCII bytes", overrides: () => ({ prompt: "p".repeat(3000) }) },
  { name: "a prompt of 3000 bytes in 1500 two-byte characters", overrides: () => ({ prompt: "é".repeat(1500) }) },
  { name: "a prompt of 3000 bytes in 750 four-byte emoji", overrides: () => ({ prompt: "😀".repeat(750) }) },
  { name: "a prompt with line breaks, tabs and quotes", overrides: () => ({ prompt: 'a "fox"\n\tin snow\r\n' }) },
  { name: "a model of 200 bytes in three-byte characters", overrides: () => ({ model: textOfBytes(200, "€") }) },
  { name: "a one-character model", overrides: () => ({ model: "m" }) },
  { name: "a username of 100 characters", overrides: (uid) => ({ createdBy: { uid, username: "u".repeat(100) } }) },
  // string.size() counts UTF-16 code units in the emulator (as JS .length and zod do).
  { name: "a username of 50 emoji (100 UTF-16 code units)", overrides: (uid) => ({ createdBy: { uid, username: "😀".repeat(50) } }) },
  { name: "createdBy with the uid only", overrides: (uid) => ({ createdBy: { uid } }) },
  { name: "an empty prompt", overrides: () => ({ prompt: "" }) },
  {
    name: "no images, videos, isPublic or isDeleted",
    overrides: () => ({ images: undefined, videos: undefined, isPublic: undefined, isDeleted: undefined }),
  },
  { name: "empty media lists", overrides: () => ({ images: [], videos: [] }) },
  { name: "4 images and 2 videos", overrides: () => ({ images: [image(), image(), image(), image()], videos: [video(), video()] }) },
  { name: "an image with the url only", overrides: () => ({ images: [{ url: "https://cdn.example/fox.png" }] }) },
  {
    name: "an image with every key",
    overrides: () => ({ images: [image({ thumbnailUrl: "https://cdn.example/t.png", avifUrl: "https://cdn.example/a.avif" })] }),
  },
  { name: "a URL of 2048 characters", overrides: () => ({ images: [image({ url: urlOfLength(2048) })] }) },
  {
    name: "a URL with every URL character",
    overrides: () => ({ images: [image({ url: "https://cdn.example/a-Z_0.9~:/?#@!$&()*+,;=%20" })] }),
  },
  { name: "width and height 1", overrides: () => ({ images: [image({ width: 1, height: 1 })] }) },
  { name: "width and height 16384", overrides: () => ({ images: [image({ width: 16384, height: 16384 })] }) },
  { name: "durationMs 0", overrides: () => ({ videos: [video({ durationMs: 0 })] }) },
  { name: "durationMs 3600000", overrides: () => ({ videos: [video({ durationMs: 3_600_000 })] }) },
  { name: "a fractional durationMs", overrides: () => ({ videos: [video({ durationMs: 1234.5 })] }) },
  { name: "URLs totalling exactly 6144 characters", overrides: () => urlsTotalling(LIMITS.urlBudgetChars) },
  { name: "the largest item (every field at its bound, 19 URLs using the whole budget)", overrides: (uid) => maxItem(uid) },
];

/** maxItem with one URL one character longer: over the budget by exactly one. */
function maxItemOverBudgetIn(uid: string, where: "video" | "photo"): Data {
  const max = maxItem(uid);
  const longer = (url: unknown) => `${url as string}a`;
  const by = max.createdBy as Data;
  const videos = max.videos as Data[];
  return where === "photo"
    ? { images: max.images, videos, createdBy: { ...by, photoURL: longer(by.photoURL) } }
    : { images: max.images, videos: videos.map((v, i) => (i === 1 ? { ...v, avifUrl: longer(v.avifUrl) } : v)), createdBy: by };
}

/**
 * Why a case is invalid:
 * - `shape`: the data itself is malformed; a server-side schema should reject it too.
 * - `request`: well-formed data that is wrong for the write (the times must be the write's
 *   request.time; createdBy must name the writer). Only the rules can see that.
 * - `adminOnly`: a field only the server may write; a server-side schema accepts it.
 */
export type InvalidKind = "shape" | "request" | "adminOnly";

export interface InvalidCase {
  name: string;
  kind: InvalidKind;
  /** Applied to validItem(uid): each case changes one thing of a valid item. */
  overrides: (uid: string) => Data;
}

const badImage = image({ width: 0 });
const badVideo = video({ durationMs: -1 });

/** Every media entry index is checked on its own (the rules cannot loop): a bad entry at i. */
const withBadAt = (make: () => Data, bad: Data, length: number, i: number) => Array.from({ length }, (_, j) => (j === i ? bad : make()));

const shape = (name: string, overrides: (uid: string) => Data): InvalidCase => ({ name, kind: "shape", overrides });

export const invalidItems: InvalidCase[] = [
  // keys
  shape("an unknown field", () => ({ featured: true })),
  ...["prompt", "model", "createdAt", "updatedAt", "createdBy"].map((key) => shape(`no ${key}`, () => ({ [key]: undefined }))),

  // prompt and model
  shape("a prompt as a number", () => ({ prompt: 42 })),
  shape("a prompt of 3001 ASCII bytes", () => ({ prompt: "p".repeat(3001) })),
  shape("a prompt of 3001 bytes in 1501 characters (two-byte é)", () => ({ prompt: "é".repeat(1500) + "a" })),
  shape("a prompt of 3001 bytes in 1001 characters (three-byte €)", () => ({ prompt: "€".repeat(1000) + "a" })),
  shape("a prompt of 3004 bytes in 751 emoji", () => ({ prompt: "😀".repeat(751) })),
  shape("a prompt with a control character", () => ({ prompt: "a fox\u0001" })),
  shape("a prompt with DEL", () => ({ prompt: "a fox\u007f" })),
  shape("a model with a line break", () => ({ model: "flux\n1" })),
  shape("an empty model", () => ({ model: "" })),
  shape("a model of 201 ASCII bytes", () => ({ model: "m".repeat(201) })),
  shape("a model of 201 bytes in 101 characters", () => ({ model: "é".repeat(100) + "m" })),
  shape("a model as a number", () => ({ model: 1 })),

  // flags
  shape("isPublic as a string", () => ({ isPublic: "true" })),
  shape("isPublic null", () => ({ isPublic: null })),
  shape("isDeleted as a number", () => ({ isDeleted: 0 })),

  // times (they must be timestamps; `request` cases below cover their values)
  shape("createdAt as a string", () => ({ createdAt: "2024-01-01T00:00:00Z" })),
  shape("createdAt as millis", () => ({ createdAt: Date.now() })),
  shape("createdAt null", () => ({ createdAt: null })),
  shape("updatedAt as a string", () => ({ updatedAt: "yesterday" })),
  shape("updatedAt as millis", () => ({ updatedAt: Date.now() })),
  shape("updatedAt null", () => ({ updatedAt: null })),

  // createdBy
  shape("createdBy as a string", (uid) => ({ createdBy: uid })),
  shape("createdBy with an unknown key", (uid) => ({ createdBy: { uid, email: "a@example.com" } })),
  shape("createdBy without uid", () => ({ createdBy: { username: "alice" } })),
  shape("a username of 101 characters", (uid) => ({ createdBy: { uid, username: "u".repeat(101) } })),
  shape("a username of 51 emoji (51 characters, 102 UTF-16 code units)", (uid) => ({ createdBy: { uid, username: "😀".repeat(51) } })),
  shape("a username as a number", (uid) => ({ createdBy: { uid, username: 7 } })),
  shape("a username with a control character", (uid) => ({ createdBy: { uid, username: "ali\u0000ce" } })),
  shape("an empty photoURL", (uid) => ({ createdBy: { uid, photoURL: "" } })),
  shape("a photoURL as a number", (uid) => ({ createdBy: { uid, photoURL: 1 } })),
  shape("an http:// photoURL", (uid) => ({ createdBy: { uid, photoURL: "http://cdn.example/alice.png" } })),
  shape("a photoURL of 2049 characters", (uid) => ({ createdBy: { uid, photoURL: urlOfLength(2049) } })),

  // media lists
  shape("images as a map", () => ({ images: { url: "https://cdn.example/fox.png" } })),
  shape("images null", () => ({ images: null })),
  shape("a 5th image", () => ({ images: Array.from({ length: 5 }, () => image()) })),
  shape("a 3rd video", () => ({ videos: Array.from({ length: 3 }, () => video()) })),
  shape("videos as a string", () => ({ videos: "https://cdn.example/fox.mp4" })),

  // an image entry
  shape("an image entry that is a string", () => ({ images: ["https://cdn.example/fox.png"] })),
  shape("an image entry null", () => ({ images: [null] })),
  shape("an image with an unknown key", () => ({ images: [image({ alt: "a fox" })] })),
  shape("an image with durationMs (videos only)", () => ({ images: [image({ durationMs: 1000 })] })),
  shape("an image without url", () => ({ images: [image({ url: undefined })] })),
  shape("an image url with http://", () => ({ images: [image({ url: "http://cdn.example/fox.png" })] })),
  shape("an image url with a non-ASCII character", () => ({ images: [image({ url: "https://cdn.example/renard-é.png" })] })),
  shape("an image url with a space", () => ({ images: [image({ url: "https://cdn.example/red fox.png" })] })),
  shape("an image url with a newline", () => ({ images: [image({ url: "https://cdn.example/fox.png\n" })] })),
  ...['"', "\\", "<", ">", "'", "{", "}", "|", "^", "`", "[", "]"].map((c) =>
    shape(`an image url with ${c} (JSON or HTML would have to escape it)`, () => ({
      images: [image({ url: `https://cdn.example/f${c}x.png` })],
    })),
  ),
  shape("a photoURL with a quote", (uid) => ({ createdBy: { uid, photoURL: 'https://cdn.example/a"b.png' } })),
  shape("an image url that is only https://", () => ({ images: [image({ url: "https://" })] })),
  shape("an image url of 2049 characters", () => ({ images: [image({ url: urlOfLength(2049) })] })),
  shape("an image url as a number", () => ({ images: [image({ url: 1 })] })),
  shape("an empty image url", () => ({ images: [image({ url: "" })] })),
  shape("an empty image thumbnailUrl", () => ({ images: [image({ thumbnailUrl: "" })] })),
  shape("an empty image avifUrl", () => ({ images: [image({ avifUrl: "" })] })),
  shape("an image thumbnailUrl with http://", () => ({ images: [image({ thumbnailUrl: "http://cdn.example/t.png" })] })),
  shape("an image thumbnailUrl of 2049 characters", () => ({ images: [image({ thumbnailUrl: urlOfLength(2049) })] })),
  shape("an image avifUrl with a non-ASCII character", () => ({ images: [image({ avifUrl: "https://cdn.example/ü.avif" })] })),
  shape("an image avifUrl null", () => ({ images: [image({ avifUrl: null })] })),
  shape("an image width 0", () => ({ images: [image({ width: 0 })] })),
  shape("an image width -1", () => ({ images: [image({ width: -1 })] })),
  shape("an image width 16385", () => ({ images: [image({ width: 16385 })] })),
  shape("an image width 1.5", () => ({ images: [image({ width: 1.5 })] })),
  shape("an image height 0", () => ({ images: [image({ height: 0 })] })),
  shape("an image height 16385", () => ({ images: [image({ height: 16385 })] })),
  shape("an image height as a string", () => ({ images: [image({ height: "1024" })] })),

  // a video entry
  shape("a video entry that is a string", () => ({ videos: ["https://cdn.example/fox.mp4"] })),
  shape("a video with an unknown key", () => ({ videos: [video({ poster: "https://cdn.example/p.png" })] })),
  shape("a video without url", () => ({ videos: [video({ url: undefined })] })),
  shape("a video url with http://", () => ({ videos: [video({ url: "http://cdn.example/fox.mp4" })] })),
  shape("a video thumbnailUrl with a non-ASCII character", () => ({ videos: [video({ thumbnailUrl: "https://cdn.example/ü.png" })] })),
  shape("an empty video thumbnailUrl", () => ({ videos: [video({ thumbnailUrl: "" })] })),
  shape("a video avifUrl of 2049 characters", () => ({ videos: [video({ avifUrl: urlOfLength(2049) })] })),
  shape("a video width 0", () => ({ videos: [video({ width: 0 })] })),
  shape("a video height 1.5", () => ({ videos: [video({ height: 1.5 })] })),
  shape("a video durationMs -1", () => ({ videos: [video({ durationMs: -1 })] })),
  shape("a video durationMs 3600001", () => ({ videos: [video({ durationMs: 3_600_001 })] })),
  shape("a video durationMs 3600000.5", () => ({ videos: [video({ durationMs: 3_600_000.5 })] })),
  shape("a video durationMs as a string", () => ({ videos: [video({ durationMs: "4000" })] })),

  // every index
  ...[0, 1, 2, 3].map((i) => shape(`a bad image at index ${i} of 4`, () => ({ images: withBadAt(image, badImage, 4, i) }))),
  ...[0, 1].map((i) => shape(`a bad video at index ${i} of 2`, () => ({ videos: withBadAt(video, badVideo, 2, i) }))),

  // the URL budget
  shape("URLs totalling 6145 characters", () => urlsTotalling(LIMITS.urlBudgetChars + 1)),
  shape("the largest item's URLs with one more character in the last video's avifUrl", (uid) => maxItemOverBudgetIn(uid, "video")),
  shape("the largest item's URLs with one more character in photoURL", (uid) => maxItemOverBudgetIn(uid, "photo")),

  // wrong for the write
  {
    name: "createdAt in the year 3000",
    kind: "request",
    overrides: () => ({ createdAt: Timestamp.fromDate(new Date("3000-01-01T00:00:00Z")) }),
  },
  { name: "createdAt a minute in the past", kind: "request", overrides: () => ({ createdAt: Timestamp.fromMillis(Date.now() - 60_000) }) },
  {
    name: "updatedAt in the year 3000",
    kind: "request",
    overrides: () => ({ updatedAt: Timestamp.fromDate(new Date("3000-01-01T00:00:00Z")) }),
  },
  { name: "updatedAt a minute in the past", kind: "request", overrides: () => ({ updatedAt: Timestamp.fromMillis(Date.now() - 60_000) }) },
  { name: "createdBy naming someone else", kind: "request", overrides: () => ({ createdBy: { uid: "someone-else" } }) },

  // the server's
  { name: "aestheticScore", kind: "adminOnly", overrides: () => ({ aestheticScore: 0.9 }) },
  { name: "aestheticScore null", kind: "adminOnly", overrides: () => ({ aestheticScore: null }) },
  { name: "aestheticScoreFor", kind: "adminOnly", overrides: () => ({ aestheticScoreFor: "v1" }) },
];
