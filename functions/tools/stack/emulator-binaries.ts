import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "./paths";

// Offline machines cannot let firebase-tools download its emulator jars, but they have
// Debian's google-cloud-cli-*-emulator packages. firebase-tools runs an override binary
// as `java -jar <path>`, and the packaged Firestore jar has no Main-Class, so we point it
// at a manifest-only launcher jar made here (never committed). With no packaged emulator
// (a laptop with internet) nothing is set and firebase-tools downloads its own.
const sdkRoots = ["/usr/lib/google-cloud-sdk", "/usr/share/google-cloud-sdk", "/opt/google-cloud-sdk"];
const firestoreJar = "platform/cloud-firestore-emulator/cloud-firestore-emulator.jar";
const pubsubBin = "platform/pubsub-emulator/bin/cloud-pubsub-emulator";

function findInSdk(relative: string): string | undefined {
  return sdkRoots.map((root) => join(root, relative)).find((path) => existsSync(path));
}

function firestoreLauncher(packagedJar: string): string {
  const dir = join(cacheDir, "emulators");
  const launcher = join(dir, "firestore-launcher.jar");
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, "firestore-launcher.manifest");
  writeFileSync(
    manifest,
    "Main-Class: com.google.cloud.datastore.emulator.firestore.CloudFirestore\n" + `Class-Path: file:${packagedJar}\n`,
  );
  try {
    execFileSync("jar", ["cfm", launcher, manifest], { stdio: "pipe" });
  } catch {
    throw new Error(
      "Found the packaged Firestore emulator but no `jar` tool to make its launcher. Install a JDK " +
        "(Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless`), or unset the package so firebase-tools downloads its own.",
    );
  }
  return launcher;
}

/** Environment for firebase-tools: packaged emulator binaries where this machine has them. */
export function emulatorBinaryEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (!process.env.FIRESTORE_EMULATOR_BINARY_PATH) {
    const jar = findInSdk(firestoreJar);
    if (jar) env.FIRESTORE_EMULATOR_BINARY_PATH = firestoreLauncher(jar);
  }
  if (!process.env.PUBSUB_EMULATOR_BINARY_PATH) {
    const bin = findInSdk(pubsubBin);
    if (bin) env.PUBSUB_EMULATOR_BINARY_PATH = bin;
  }
  return env;
}

/** The Java emulators need Java 11+ (firebase-tools 14 warns below 21 but runs). */
export function assertJava(): void {
  try {
    execFileSync("java", ["-version"], { stdio: "pipe" });
  } catch {
    throw new Error(
      "Java is required by the Firestore and Pub/Sub emulators. Install Java 17+ " +
        "(Debian/Ubuntu: `apt-get install openjdk-17-jdk-headless`; macOS: `brew install openjdk@17`).",
    );
  }
}
