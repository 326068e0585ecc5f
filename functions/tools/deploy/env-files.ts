import { createRequire } from "node:module";
import { join, resolve } from "node:path";

/** A project's dotenv values as a deploy reads them (functions/.env, then .env.<projectId>;
 *  `configDir` for tests), by firebase-tools' own loader (the pinned version in the root
 *  package). The tools that need one value of a real project read it here. */
const functionsDir = resolve(__dirname, "..", "..");
const fromRoot = createRequire(join(functionsDir, "..", "package.json"));
const { loadUserEnvs } = fromRoot("firebase-tools/lib/functions/env") as {
  loadUserEnvs(opts: { functionsSource: string; projectId: string; configDir?: string }): Record<string, string>;
};

export function projectEnv(projectId: string, configDir?: string): Record<string, string> {
  return loadUserEnvs({ functionsSource: functionsDir, projectId, ...(configDir ? { configDir } : {}) });
}
