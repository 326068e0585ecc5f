import { upstashClient } from "../../src/cache/upstash";
import { bumpTags } from "../../src/cache/tag-versions";
import { defaultLeaseMs, type MirrorDeps } from "../../src/mirror/deps";
import { newWorkerId } from "../../src/mirror/runtime";
import { db } from "../../src/shared/firebase";
import { productionTarget } from "../deploy/project";
import { useEmulators } from "../demo/emulator-env";
import { toolRedisSettings } from "../redis/tool-settings";

/** Processing-core dependencies for a command-line tool: the local `npm start` stack by
 *  default; with `--project <id>`, that real project (tools/deploy/project.ts). */
export function toolMirrorDeps(kind: string, argv: string[]): MirrorDeps {
  const i = argv.indexOf("--project");
  const projectId = i < 0 ? undefined : argv[i + 1];
  if (i >= 0 && !projectId) throw new Error("--project needs a project id");
  const settings = projectId ? productionTarget(projectId).redis : (useEmulators(), toolRedisSettings(false));
  if (!settings) throw new Error("Set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN");
  const redis = upstashClient(settings.url, settings.token);
  return { db: db(), workerId: newWorkerId(kind), leaseMs: defaultLeaseMs, now: Date.now, invalidate: (tags) => bumpTags(redis, tags) };
}

/** `--name value` from argv, as a number, or the fallback. */
export function numberArg(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}
