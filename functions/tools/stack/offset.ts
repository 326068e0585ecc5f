import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { firebaseConfigPath, projectId, repoRoot } from "./paths";

/** A second stack beside a running one (`FRESCO_PORT_OFFSET=1000 npm test` while
 *  `npm start` runs): every emulator port shifted, its own project id and env file.
 *  Offset 0 is the standard layout of firebase.json. */
export function stackConfig(options = { writeConfig: true }): { offset: number; project: string; args: string[]; env: Record<string, string> } {
  const offset = Number(process.env.FRESCO_PORT_OFFSET ?? 0);
  // Whole thousands: no two emulator ports of firebase.json differ by one, so stacks never overlap.
  if (!Number.isInteger(offset) || offset < 0 || offset > 5000 || offset % 1000 !== 0 || offset === 2000) {
    // 2000 would put Firestore on 10080, a port fetch() refuses to reach.
    throw new Error("FRESCO_PORT_OFFSET must be 0, 1000, 3000, 4000 or 5000");
  }
  const project = offset === 0 ? projectId : `${projectId}-p${offset}`;
  const host = (port: number) => `127.0.0.1:${port + offset}`;
  const env = {
    GCLOUD_PROJECT: project,
    FIRESTORE_EMULATOR_HOST: host(8080),
    FIREBASE_AUTH_EMULATOR_HOST: host(9099),
    PUBSUB_EMULATOR_HOST: host(8085),
    FIREBASE_EMULATOR_HUB: host(4400),
    FRESCO_FUNCTIONS_HOST: host(5001),
  };
  if (offset === 0 || !options.writeConfig) return { offset, project, args: ["--project", project], env };
  const config = JSON.parse(readFileSync(firebaseConfigPath, "utf8")) as { emulators: Record<string, Record<string, unknown>> };
  for (const entry of Object.values(config.emulators)) {
    for (const key of ["port", "websocketPort"]) if (typeof entry[key] === "number") entry[key] = (entry[key] as number) + offset;
  }
  // Beside firebase.json, so relative paths (functions/, firestore.rules) resolve the same.
  const path = join(repoRoot, `firebase.port-${offset}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { offset, project, args: ["--project", project, "--config", path], env };
}
