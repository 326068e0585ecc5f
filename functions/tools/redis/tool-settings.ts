import { stackLayout } from "../stack/layout";
import { localBridgeToken } from "../stack/paths";

/** Where a command-line tool finds Redis: the environment's Upstash settings, or (unless
 *  `production`; tools/deploy/project.ts finds a real project's) the local stack's bridge. (No logging module is imported
 *  here: the rebuild tool routes console output before it loads any.) */
export function toolRedisSettings(production: boolean): { url: string; token: string } | undefined {
  const url = process.env.UPSTASH_REDIS_REST_URL ?? (production ? undefined : `http://${stackLayout().hosts.bridge}`);
  const token = process.env.UPSTASH_REDIS_REST_TOKEN ?? (production ? undefined : localBridgeToken());
  return url && token ? { url, token } : undefined;
}
