import { createHash } from "node:crypto";
import { PNG } from "pngjs";
import { feature, type ArtInputs, type ArtProvider, type GeneratedImage } from "./provider";

/**
 * The local generator: a real PNG rendered from the inputs alone, so the same inputs always
 * give the same bytes (tests compare them) and `npm start` shows real pictures with no image
 * API. A seed from the inputs picks a palette (its hue moved by the genre and styles), the
 * audio's energy sets the saturation, valence the light, tempo the number of shapes, and a
 * spectrum, when given, draws a wave across the picture.
 */
export const localSize = 512;
const bands = 8;

/** `size` (a multiple of 8) is for tests: pngjs is ~40x slower inside jest's VM than in a function. */
export function localProvider(size = localSize): ArtProvider {
  return {
    name: "local",
    async generate(inputs, report) {
      const painter = painterFor(inputs, size);
      const png = new PNG({ width: size, height: size });
      for (let band = 0; band < bands; band++) {
        painter.paintRows(png.data, (band * size) / bands, ((band + 1) * size) / bands);
        await report("rendering", Math.round(((band + 1) / bands) * 80));
      }
      const image: GeneratedImage = { bytes: PNG.sync.write(png, { colorType: 2 }), contentType: "image/png", width: size, height: size };
      return image;
    },
  };
}

/** The inputs in one canonical JSON (sorted keys), so field order never changes the picture.
 *  (The typed client keeps its own copy for query keys: it takes only types from functions/.) */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/** mulberry32: a small seeded PRNG (the picture must not depend on Math.random). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0) * 255, f(8) * 255, f(4) * 255];
}

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
const hashOf = (text: string) => createHash("sha256").update(text).digest();

function painterFor(inputs: ArtInputs, localSize: number) {
  const seed = hashOf(JSON.stringify(canonical(inputs)));
  const random = prng(seed.readUInt32BE(0));
  const moods = [inputs.musicInfo?.genre ?? "", ...(inputs.preferences?.styles ?? [])].join("|");
  const hue = (seed.readUInt16BE(4) % 360) + (moods ? hashOf(moods).readUInt16BE(0) % 60 : 0);
  const energy = clamp01(feature(inputs, "energy") ?? 0.5);
  const valence = clamp01(feature(inputs, "valence") ?? 0.5);
  const tempo = Math.max(40, Math.min(220, feature(inputs, "tempo") ?? 110));
  const saturation = 0.35 + 0.55 * energy;
  const light = 0.3 + 0.35 * valence;
  const palette = [0, 40, 160, 200, 300].map((shift, i) => hsl((hue + shift) % 360, saturation, clamp01(light + (i % 2 ? 0.15 : -0.05))));
  const shapes = Array.from({ length: Math.round(tempo / 12) }, () => ({
    x: random() * localSize,
    y: random() * localSize,
    r: (0.05 + random() * 0.25) * localSize,
    color: palette[1 + Math.floor(random() * (palette.length - 1))]!,
    alpha: 0.25 + random() * 0.5,
  }));
  const spectrum = inputs.audioAnalysis?.spectrum;
  const wave = Array.isArray(spectrum)
    ? spectrum.filter((v): v is number => typeof v === "number" && Number.isFinite(v)).slice(0, 256)
    : [];
  const waveMax = Math.max(1e-9, ...wave.map(Math.abs));
  const [top, bottom] = [palette[0]!, hsl((hue + 180) % 360, saturation * 0.6, light * 0.5)];

  return {
    paintRows(data: Buffer, from: number, to: number) {
      for (let y = from; y < to; y++) {
        const v = y / (localSize - 1);
        // Only the shapes this row crosses; a shape's weight falls off with the squared distance.
        const row = shapes.filter((s) => Math.abs(y - s.y) < s.r);
        for (let x = 0; x < localSize; x++) {
          let r = top[0] * (1 - v) + bottom[0] * v;
          let g = top[1] * (1 - v) + bottom[1] * v;
          let b = top[2] * (1 - v) + bottom[2] * v;
          for (const s of row) {
            const d2 = ((x - s.x) ** 2 + (y - s.y) ** 2) / (s.r * s.r);
            if (d2 >= 1) continue;
            const a = s.alpha * (1 - d2);
            r += (s.color[0] - r) * a;
            g += (s.color[1] - g) * a;
            b += (s.color[2] - b) * a;
          }
          if (wave.length > 1) {
            // Linear between the spectrum's values, so the wave is a curve across the picture.
            const at = (x / (localSize - 1)) * (wave.length - 1);
            const i0 = Math.floor(at);
            const value = (wave[i0]! + (wave[Math.min(i0 + 1, wave.length - 1)]! - wave[i0]!) * (at - i0)) / waveMax;
            const crest = localSize * (0.5 - 0.35 * value);
            const near = Math.abs(y - crest);
            if (near < 3) r = g = b = 255 - near * 40;
          }
          const i = (y * localSize + x) * 4;
          data[i] = r;
          data[i + 1] = g;
          data[i + 2] = b;
          data[i + 3] = 255;
        }
      }
    },
  };
}
