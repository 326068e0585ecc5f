import { join } from "node:path";

/** The repository root and the places the dev stack reads and writes. */
export const repoRoot = join(__dirname, "..", "..", "..");
export const functionsDir = join(repoRoot, "functions");
export const cacheDir = join(repoRoot, ".cache");
export const firebaseBin = join(repoRoot, "node_modules", ".bin", "firebase");
export const firebaseConfigPath = join(repoRoot, "firebase.json");

/** The demo project: a `demo-` id keeps the emulators from ever reaching a real project. */
export const projectId = "demo-fresco";
export const region = "us-central1";
export const emulatorsUsed = ["firestore", "functions", "auth", "pubsub"] as const;

/** Port of the local Upstash REST bridge under `npm start` (tests pick a free one). */
export const defaultBridgePort = 8079;

/** Port of the local S3 store (s3rver) holding canvas media. */
export const defaultS3Port = 4569;

/** A dev-only token: the bridge listens on loopback and guards nothing real. */
export const localUpstashToken = "fresco-local-dev-token";
