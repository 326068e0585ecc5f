import { defineSecret, defineString } from "firebase-functions/params";
import { intParam } from "../shared/params";
import type { ArtProvider } from "./providers/provider";

// Settings of art generation. Defaults live in functions/.env (overridden per project by
// .env.<projectId>); read inside handlers only.

export const artProviderName = defineString("ART_PROVIDER", {
  default: "openai",
  description: "Which image generator makes artworks: local (rendered in the function) or openai",
});
export const artProviderUrl = defineString("ART_PROVIDER_URL", {
  default: "https://api.openai.com",
  description: "Base URL of the image API (the openai provider)",
});
export const artProviderModel = defineString("ART_PROVIDER_MODEL", {
  default: "gpt-image-1",
  description: "Image model of the openai provider",
});
/** The image API's key; bind it to the functions that generate. */
export const artProviderKey = defineSecret("ART_PROVIDER_API_KEY");
/** Where the media bucket's objects are served from (a CDN or the bucket's public URL): an
 *  artwork's imageUrl is this base and the object's path. */
export const artImageBaseUrl = defineString("ART_IMAGE_BASE_URL", { description: "Public base URL of the media bucket's objects" });

export const artCredits = intParam("ART_GENERATION_CREDITS", { default: 1, min: 1, description: "Credits one generateArt costs" });
export const artMaxAttempts = intParam("ART_MAX_ATTEMPTS", {
  default: 3,
  min: 1,
  description: "Failed runs of a request's worker before it fails and its credits are refunded",
});
export const artRecoveryBatch = intParam("ART_RECOVERY_BATCH", {
  default: 100,
  min: 1,
  description: "Requests the recovery job looks at per run at most",
});

/** The provider the params name, built once per instance. */
let built: { key: string; provider: ArtProvider } | undefined;
export function providerFromParams(): ArtProvider {
  const name = artProviderName.value();
  const key = `${name}\n${artProviderUrl.value()}\n${artProviderModel.value()}`;
  if (built?.key !== key) built = { key, provider: buildProvider(name) };
  return built.provider;
}

/* eslint-disable @typescript-eslint/no-require-imports -- a provider is loaded when the worker first builds it: the local one
   brings pngjs, and the art callables that never generate load neither */
function buildProvider(name: string): ArtProvider {
  if (name === "local") return (require("./providers/local") as typeof import("./providers/local")).localProvider();
  if (name === "openai")
    return (require("./providers/openai") as typeof import("./providers/openai")).openAiProvider({
      baseUrl: artProviderUrl.value(),
      apiKey: artProviderKey.value(),
      model: artProviderModel.value(),
      size: "1024x1024",
      timeoutMs: 120_000,
    });
  throw new Error(`ART_PROVIDER must be local or openai, is "${name}"`);
}
/* eslint-enable @typescript-eslint/no-require-imports */
