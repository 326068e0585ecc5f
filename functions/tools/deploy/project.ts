import { projectEnv } from "./env-files";

/**
 * What a command-line tool needs to work on a real project, named the Firebase CLI's way
 * (`--project <id>`): the id checked, no emulator variable left in the shell (it would send
 * every write to an emulator), GCLOUD_PROJECT set for firebase-admin (credentials: `gcloud auth
 * application-default login`), and the project's Upstash database: the URL from the same
 * functions/.env.<id> the deploy reads (env-files.ts), the token (a secret) from the
 * shell's UPSTASH_REDIS_REST_TOKEN.
 */
export const projectIdPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const emulatorVariables = ["FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST", "FIREBASE_STORAGE_EMULATOR_HOST"];

export interface ProductionTarget {
  projectId: string;
  redis: { url: string; token: string };
}

/** Throws, saying what to fix, when the tool cannot safely work on `projectId`. */
export function productionTarget(projectId: string, needs: { redis: boolean } = { redis: true }): ProductionTarget {
  if (!projectIdPattern.test(projectId)) throw new Error(`"${projectId}" is not a Firebase project id`);
  if (projectId.startsWith("demo-")) throw new Error(`${projectId} is a demo project: leave out --project to use the local stack`);
  const set = emulatorVariables.filter((name) => process.env[name]);
  if (set.length) throw new Error(`--project ${projectId}, but ${set.join(", ")} would send the calls to an emulator: unset it`);
  process.env.GCLOUD_PROJECT = projectId;
  const url = process.env.UPSTASH_REDIS_REST_URL ?? projectEnv(projectId).UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (needs.redis && (!url || !token))
    throw new Error(
      `--project ${projectId} invalidates the cache: set UPSTASH_REDIS_REST_URL in functions/.env.${projectId} and UPSTASH_REDIS_REST_TOKEN in the shell (the secret's value)`,
    );
  return { projectId, redis: { url: url ?? "", token: token ?? "" } };
}
