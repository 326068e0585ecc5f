import { z } from "zod";
import { describeInputs, ProviderError, sniffImageType, type ArtProvider } from "./provider";

/**
 * An adapter of OpenAI's Images API (`POST /v1/images/generations`, the GPT image models):
 * the prompt from the inputs, one image, base64 PNG back. The API key is a secret
 * (ART_PROVIDER_API_KEY); the base URL a param, so tests point it at a local stand-in.
 * Written against the HTTP API with fetch rather than the `openai` package: one endpoint, and
 * the adapter must classify every failure itself (retry or refund), which the package's own
 * retries would hide.
 */
export interface OpenAiSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
  size: "1024x1024" | "1024x1536" | "1536x1024";
  timeoutMs: number;
}

const maxImageBytes = 20 * 1024 * 1024;
const answer = z.object({ data: z.array(z.object({ b64_json: z.string().min(1) })).min(1) });
const refusalCodes = new Set(["content_policy_violation", "moderation_blocked"]);

export function openAiProvider(settings: OpenAiSettings): ArtProvider {
  const [width, height] = settings.size.split("x").map(Number) as [number, number];
  return {
    name: "openai",
    async generate(inputs, report) {
      if (!settings.apiKey) throw new ProviderError("ART_PROVIDER_API_KEY is not set", false, "Generation is unavailable right now.");
      await report("requesting", 5);
      let response: Response;
      try {
        response = await fetch(`${settings.baseUrl.replace(/\/+$/, "")}/v1/images/generations`, {
          method: "POST",
          headers: { authorization: `Bearer ${settings.apiKey}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: settings.model,
            prompt: describeInputs(inputs).slice(0, 4000),
            n: 1,
            size: settings.size,
            output_format: "png",
          }),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        throw new ProviderError(`image API unreachable: ${String(error)}`, true);
      }
      const text = await response.text().catch(() => "");
      if (!response.ok) throw failure(response.status, text);
      await report("decoding", 70);
      let parsed: z.infer<typeof answer>;
      try {
        parsed = answer.parse(JSON.parse(text));
      } catch {
        throw new ProviderError(`image API answered ${response.status} without an image`, true);
      }
      const bytes = Buffer.from(parsed.data[0]!.b64_json, "base64");
      const contentType = sniffImageType(bytes);
      if (!contentType || bytes.length > maxImageBytes)
        throw new ProviderError(`image API sent ${bytes.length} bytes that are not a PNG, JPEG or WebP image`, true);
      return { bytes, contentType, width, height };
    },
  };
}

/** A refusal of the API as Fresco treats it: a refused prompt fails at once (and is
 *  refunded), a rate limit or a server error is retried, a bad key fails (nothing to retry). */
function failure(status: number, body: string): ProviderError {
  let code: string | undefined;
  try {
    code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? undefined;
  } catch {
    code = undefined;
  }
  const what = `image API answered ${status}${code ? ` (${code})` : ""}`;
  if (code && refusalCodes.has(code)) return new ProviderError(what, false, "The image provider refused this prompt.");
  if (status === 408 || status === 409 || status === 429 || status >= 500) return new ProviderError(what, true);
  if (status === 401 || status === 403) return new ProviderError(what, false, "Generation is unavailable right now.");
  return new ProviderError(what, false);
}
