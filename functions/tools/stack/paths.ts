import { join } from "node:path";
import { localUpstashToken } from "../redis/local-token";

/** The repository root and the places the dev stack reads and writes. */
export const repoRoot = join(__dirname, "..", "..", "..");
export const functionsDir = join(repoRoot, "functions");
export const cacheDir = join(repoRoot, ".cache");
export const firebaseConfigPath = join(repoRoot, "firebase.json");

/** The bridge's token of this checkout: random, kept in .cache/upstash-token (mode 0600). */
export const localBridgeToken = () => localUpstashToken(cacheDir);

/** Debian's Chromium, which the admin panel's browser tests drive (`.ci/run` installs it). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
