import { defaultRegion } from "../../src/shared/region";
import { projectEnv } from "./env-files";

/**
 * The functions' region for a project as a deploy resolves the FRESCO_REGION param
 * (src/shared/region.ts): from the project's dotenv files; its default when they do not set
 * it. The local stack, the test helpers and the panel's build call the functions through this.
 * `configDir`: where the dotenv files are (tests); functions/ by default, as for a deploy.
 */
export function regionOf(projectId: string, configDir?: string): string {
  return projectEnv(projectId, configDir).FRESCO_REGION ?? defaultRegion;
}
