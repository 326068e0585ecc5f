import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { projectIdPattern } from "./project";

/**
 * What a non-interactive `firebase deploy` of the functions would do with this checkout's
 * configuration for one project, found offline with firebase-tools' own code (the pinned
 * version in the root package, not a copy): its discovery of the built functions, its dotenv
 * loading and its params resolution. Secret Manager cannot be seen from here, so secrets are
 * listed, not checked.
 */
const repoRoot = resolve(__dirname, "..", "..", "..");
const functionsDir = join(repoRoot, "functions");
const fromRoot = createRequire(join(repoRoot, "package.json"));
const runtimes = fromRoot("firebase-tools/lib/deploy/functions/runtimes") as {
  getRuntimeDelegate(context: { projectId: string; sourceDir: string; projectDir: string; runtime: string }): Promise<{
    validate(): Promise<void>;
    discoverBuild(config: unknown, env: Record<string, string>): Promise<DiscoveredBuild>;
  }>;
};
const functionsEnv = fromRoot("firebase-tools/lib/functions/env") as {
  loadUserEnvs(opts: { functionsSource: string; projectId: string; configDir?: string; isEmulator?: boolean }): Record<string, string>;
  loadFirebaseEnvs(config: unknown, projectId: string): Record<string, string>;
  parseStrict(data: string): Record<string, string>;
};
const buildModule = fromRoot("firebase-tools/lib/deploy/functions/build") as {
  resolveBackend(opts: {
    build: DiscoveredBuild;
    firebaseConfig: unknown;
    userEnvs: Record<string, string>;
    nonInteractive: boolean;
    isEmulator: boolean;
  }): Promise<unknown>;
};

interface DeclaredParam {
  name: string;
  type: "string" | "int" | "boolean" | "list" | "secret";
  default?: unknown;
}
export interface DiscoveredBuild {
  params: DeclaredParam[];
  endpoints: Record<string, { secretEnvironmentVariables?: { key: string }[] }>;
}

export interface Preflight {
  projectId: string;
  /** Each one would stop the deploy or ship a value that fails in production. */
  problems: string[];
  /** Every secret the functions bind, with the functions that bind it. */
  secrets: { name: string; functions: string[]; unused?: string }[];
  /** The dotenv files the deploy would read, in order. */
  envFiles: string[];
}

// A value that only works on a developer's machine or against the emulators.
const localValue = /(^|[/@.])(127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1\]|host\.docker\.internal)([:/]|$)|emulator/i;

const firebaseConfigOf = (projectId: string) => ({ projectId, storageBucket: `${projectId}.appspot.com` });

/** The built functions (functions/lib) as the deploy discovers them: firebase-tools starts them
 *  and reads their manifest (every export's trigger, options, params and secrets). */
export async function discover(projectId: string): Promise<DiscoveredBuild> {
  if (!existsSync(join(functionsDir, "lib", "index.js")))
    throw new Error("functions/lib is missing: run `npm --prefix functions run build` first");
  const firebaseConfig = firebaseConfigOf(projectId);
  const delegate = await runtimes.getRuntimeDelegate({ projectId, sourceDir: functionsDir, projectDir: repoRoot, runtime: "nodejs22" });
  await delegate.validate();
  const env = { ...functionsEnv.loadFirebaseEnvs(firebaseConfig, projectId), GOOGLE_CLOUD_QUOTA_PROJECT: projectId };
  return delegate.discoverBuild({ firebase: firebaseConfig }, env);
}

export async function preflight(projectId: string, options: { configDir?: string; build?: DiscoveredBuild } = {}): Promise<Preflight> {
  const problems: string[] = [];
  if (!projectIdPattern.test(projectId)) problems.push(`"${projectId}" is not a Firebase project id`);
  if (projectId.startsWith("demo-")) problems.push(`${projectId} is a demo project: the emulators' only, it cannot be deployed to`);
  const configDir = options.configDir ?? functionsDir;
  const firebaseConfig = firebaseConfigOf(projectId);
  const build = options.build ?? (await discover(projectId));
  const userEnvs = functionsEnv.loadUserEnvs({ functionsSource: functionsDir, configDir, projectId, isEmulator: false });
  const projectFile = join(configDir, `.env.${projectId}`);
  const projectEnvs = existsSync(projectFile) ? functionsEnv.parseStrict(readFileSync(projectFile, "utf8")) : {};
  const envFiles = [".env", `.env.${projectId}`].filter((f) => existsSync(join(configDir, f)));

  const missing = build.params.filter((p) => p.type !== "secret" && !(p.name in userEnvs)).map((p) => p.name);
  for (const name of missing)
    problems.push(
      `${name} has no value: a non-interactive deploy stops at it (a default in the code is only offered at a prompt); add ${name}=... to functions/.env.${projectId}`,
    );
  if (missing.length === 0) {
    // firebase-tools' own resolution, as `firebase deploy --non-interactive` runs it (secrets aside:
    // isEmulator skips the Secret Manager lookups only).
    try {
      await buildModule.resolveBackend({ build, firebaseConfig, userEnvs, nonInteractive: true, isEmulator: true });
    } catch (error) {
      problems.push(`firebase-tools refuses the params: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  for (const param of build.params) {
    const value = userEnvs[param.name];
    if (param.type === "secret" || value === undefined) continue;
    if (localValue.test(value)) problems.push(`${param.name}=${value} only works locally (a loopback or emulator address)`);
    else if (/^http:\/\//i.test(value)) problems.push(`${param.name}=${value} is plain HTTP: production values are https`);
  }
  if (userEnvs.ART_PROVIDER === "local" && projectEnvs.ART_PROVIDER !== "local")
    problems.push(
      `ART_PROVIDER is local (from functions/.env): generated art would be rendered test pictures; set ART_PROVIDER=openai, or ART_PROVIDER=local in functions/.env.${projectId} to mean it`,
    );

  const bound = new Map<string, string[]>();
  for (const [id, endpoint] of Object.entries(build.endpoints))
    for (const { key } of endpoint.secretEnvironmentVariables ?? []) bound.set(key, [...(bound.get(key) ?? []), id]);
  const secrets = build.params
    .filter((p) => p.type === "secret")
    .map((p) => ({
      name: p.name,
      functions: (bound.get(p.name) ?? []).sort(),
      ...(p.name === "ART_PROVIDER_API_KEY" && userEnvs.ART_PROVIDER === "local"
        ? { unused: "ART_PROVIDER=local does not read it, but the deploy binds it: set any placeholder" }
        : {}),
    }));
  return { projectId, problems, secrets, envFiles };
}
