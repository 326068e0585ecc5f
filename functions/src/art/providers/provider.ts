/** What a generation is made from: the request's inputs as generateArt validated them. */
export interface ArtInputs {
  prompt: string;
  audioAnalysis?: Record<string, unknown>;
  musicInfo?: { title?: string; artist?: string; album?: string; genre?: string };
  preferences?: { styles?: string[]; artists?: string[]; dynamicMode?: boolean };
}

export const imageTypes = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" } as const;
export type ImageType = keyof typeof imageTypes;

export interface GeneratedImage {
  bytes: Buffer;
  contentType: ImageType;
  width: number;
  height: number;
}

/** How far a generation is, reported to the request's processing entry: (stage, 0..100). */
export type ReportProgress = (stage: string, progress: number) => Promise<void>;

/** An image generator: the local renderer, or an adapter of an image API. */
export interface ArtProvider {
  name: string;
  generate(inputs: ArtInputs, report: ReportProgress): Promise<GeneratedImage>;
}

/** A generation that failed. `retryable`: a later attempt may succeed (a timeout, a 429, a 5xx);
 *  otherwise the request fails at once and its credits are refunded. `clientMessage` is what
 *  the user may read (never the provider's own text, which can hold internals). */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly clientMessage = "The image could not be generated.",
  ) {
    super(message);
  }
}

/** The prompt an image API is sent: the user's words, then what the music and preferences add. */
export function describeInputs(inputs: ArtInputs): string {
  const parts = [inputs.prompt.trim() || "An abstract artwork"];
  const { styles, artists } = inputs.preferences ?? {};
  if (styles?.length) parts.push(`Style: ${styles.join(", ")}.`);
  if (artists?.length) parts.push(`In the manner of ${artists.join(", ")}.`);
  const music = inputs.musicInfo;
  if (music?.title || music?.artist)
    parts.push(`Inspired by the music "${music.title ?? "untitled"}"${music.artist ? ` by ${music.artist}` : ""}.`);
  if (music?.genre) parts.push(`Genre: ${music.genre}.`);
  const energy = feature(inputs, "energy");
  const tempo = feature(inputs, "tempo");
  if (energy !== undefined) parts.push(energy > 0.6 ? "High energy." : energy < 0.3 ? "Calm." : "Balanced.");
  if (tempo !== undefined) parts.push(`Tempo ${Math.round(tempo)} BPM.`);
  return parts.join(" ");
}

/** A numeric feature of the audio analysis, if present and finite. */
export function feature(inputs: ArtInputs, name: string): number | undefined {
  const value = inputs.audioAnalysis?.[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The magic bytes of the image types Fresco stores; anything else is refused. */
export function sniffImageType(bytes: Buffer): ImageType | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= 12 && bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") return "image/webp";
  return undefined;
}
