import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { defaultRegion } from "../../src/shared/region";

/**
 * The functions' region for a project as a deploy resolves the FRESCO_REGION param
 * (src/shared/global-options.ts): functions/.env, then .env.<projectId>, read by firebase-tools'
 * own dotenv loader; its default when neither sets it. The local stack, the test helpers and
 * the panel's build call the functions through this.
 */
const functionsDir = resolve(__dirname, "..", "..");
const fromRoot = createRequire(join(functionsDir, "..", "package.json"));
const { loadUserEnvs } = fromRoot("firebase-tools/lib/functions/env") as {
  loadUserEnvs(opts: { functionsSource: string; projectId: string; configDir?: string }): Record<string, string>;
};

/** `configDir`: where the dotenv files are (tests); functions/ by default, as for a deploy. */
export function regionOf(projectId: string, configDir?: string): string {
  return loadUserEnvs({ functionsSource: functionsDir, projectId, ...(configDir ? { configDir } : {}) }).FRESCO_REGION ?? defaultRegion;
}
