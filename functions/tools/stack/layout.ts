import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { regionOf } from "../deploy/region";
import { firebaseConfigPath, repoRoot } from "./paths";

/**
 * The one description of where everything of a local stack listens: the emulators (from
 * firebase.json), the Upstash REST bridge and the S3 store, all shifted by one validated
 * FRESCO_PORT_OFFSET. The stack, the welcome text, the tools, the test helpers and the
 * benchmarks all read it.
 */

/** The demo project: a `demo-` id keeps the emulators from ever reaching a real project. */
export const baseProjectId = "demo-fresco";
export const emulatorsUsed = ["firestore", "functions", "auth", "pubsub", "hosting"] as const;

/** Ports of the stack's own services (not in firebase.json). The bridge has this port under
 *  `npm start`; tests start theirs on a free port and pass it in UPSTASH_REDIS_REST_URL. */
const ownPorts = { bridge: 8079, s3: 4569 };

export interface NamedPort {
  name: string;
  host: string;
  port: number;
}

export interface StackLayout {
  offset: number;
  project: string;
  /** The functions' region (the FRESCO_REGION param as the project's .env files set it). */
  region: string;
  /** host:port of each service. */
  hosts: { firestore: string; auth: string; pubsub: string; hub: string; functions: string; hosting: string; bridge: string; s3: string };
  /** Every port the stack binds, named for the "port taken" message. */
  ports: NamedPort[];
  /** The environment that points firebase-admin and the helpers at these emulators. */
  env: Record<string, string>;
  functionUrl(name: string): string;
  /** The admin panel, served by the Hosting emulator. */
  panelUrl: string;
}

type EmulatorConfig = Record<string, { host?: string; port?: number; websocketPort?: number; enabled?: boolean }>;
const readEmulators = () => (JSON.parse(readFileSync(firebaseConfigPath, "utf8")) as { emulators: EmulatorConfig }).emulators;

/** FRESCO_PORT_OFFSET: 0 (firebase.json as it is), 1000, 3000, 4000 or 5000. Whole
 *  thousands, because no two ports of firebase.json differ by one; 2000 would put
 *  Firestore on 10080, a port fetch() refuses to reach. */
export function portOffset(raw = process.env.FRESCO_PORT_OFFSET): number {
  const offset = Number(raw ?? 0);
  if (![0, 1000, 3000, 4000, 5000].includes(offset))
    throw new Error(`FRESCO_PORT_OFFSET must be 0, 1000, 3000, 4000 or 5000 (is "${raw}")`);
  return offset;
}

export function stackLayout(env: NodeJS.ProcessEnv = process.env): StackLayout {
  const offset = portOffset(env.FRESCO_PORT_OFFSET);
  const project = offset === 0 ? baseProjectId : `${baseProjectId}-p${offset}`;
  const region = regionOf(project);
  const emulators = readEmulators();
  const ports: NamedPort[] = [];
  for (const [name, entry] of Object.entries(emulators)) {
    if (typeof entry !== "object" || entry.enabled === false) continue;
    const host = entry.host ?? "127.0.0.1";
    if (entry.port) ports.push({ name: `${name} emulator`, host, port: entry.port + offset });
    if (entry.websocketPort) ports.push({ name: `${name} websocket`, host, port: entry.websocketPort + offset });
  }
  ports.push({ name: "Upstash REST bridge", host: "127.0.0.1", port: ownPorts.bridge + offset });
  ports.push({ name: "local S3 store (s3rver)", host: "127.0.0.1", port: ownPorts.s3 + offset });
  const at = (name: string) => {
    const port = ports.find((p) => p.name === name);
    if (!port) throw new Error(`firebase.json declares no ${name}`);
    return `${port.host}:${port.port}`;
  };
  const hosts = {
    firestore: at("firestore emulator"),
    auth: at("auth emulator"),
    pubsub: at("pubsub emulator"),
    hub: at("hub emulator"),
    functions: at("functions emulator"),
    hosting: at("hosting emulator"),
    bridge: at("Upstash REST bridge"),
    s3: at("local S3 store (s3rver)"),
  };
  return {
    offset,
    project,
    hosts,
    ports,
    env: {
      GCLOUD_PROJECT: project,
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
      FIREBASE_AUTH_EMULATOR_HOST: hosts.auth,
      PUBSUB_EMULATOR_HOST: hosts.pubsub,
      FIREBASE_EMULATOR_HUB: hosts.hub,
      FRESCO_FUNCTIONS_HOST: hosts.functions,
    },
    functionUrl: (name) => `http://${hosts.functions}/${project}/${region}/${name}`,
    region,
    panelUrl: `http://${hosts.hosting}/`,
  };
}

/** The firebase CLI's `--project`/`--config` for a layout: a copy of firebase.json beside it
 *  (so relative paths resolve the same) with every port shifted by the offset and the panel's
 *  CSP opened to this stack's emulators and S3 store, which the deployed CSP refuses. */
export function firebaseArgs(layout: StackLayout): string[] {
  const config = JSON.parse(readFileSync(firebaseConfigPath, "utf8")) as { emulators: EmulatorConfig; hosting: HostingConfig };
  for (const entry of Object.values(config.emulators)) {
    for (const key of ["port", "websocketPort"] as const) if (typeof entry[key] === "number") entry[key] += layout.offset;
  }
  config.hosting.headers = localHeaders(config.hosting.headers, layout);
  const path = join(repoRoot, `firebase.port-${layout.offset}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return ["--project", layout.project, "--config", path];
}

interface HostingConfig {
  headers: Array<{ source: string; headers: Array<{ key: string; value: string }> }>;
}

/** firebase.json's headers with the local origins added to the CSP's connect-src and img-src. */
export function localHeaders(headers: HostingConfig["headers"], layout: StackLayout): HostingConfig["headers"] {
  const { functions, auth, s3 } = layout.hosts;
  const add: Record<string, string[]> = { "connect-src": [functions, auth, s3], "img-src": [s3] };
  const widen = (csp: string) =>
    csp
      .split("; ")
      .map((d) => {
        const [name] = d.split(" ");
        return add[name!] ? `${d} ${add[name!]!.map((h) => `http://${h}`).join(" ")}` : d;
      })
      .join("; ");
  return headers.map((rule) => ({
    ...rule,
    headers: rule.headers.map((h) => (h.key === "Content-Security-Policy" ? { ...h, value: widen(h.value) } : h)),
  }));
}
