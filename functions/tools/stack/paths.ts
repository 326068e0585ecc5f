import { join } from "node:path";
import { localUpstashToken } from "../redis/local-token";

/** The repository root and the places the dev stack reads and writes. */
export const repoRoot = join(__dirname, "..", "..", "..");
export const functionsDir = join(repoRoot, "functions");
export const cacheDir = join(repoRoot, ".cache");
export const firebaseConfigPath = join(repoRoot, "firebase.json");

/** The bridge's token of this checkout: random, kept in .cache/upstash-token (mode 0600). */
export const localBridgeToken = () => localUpstashToken(cacheDir);
