import { initializeTestEnvironment, type RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { setLogLevel } from "firebase/firestore";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firestoreHost } from "../helpers/emulators";

/** A rules test environment on the Firestore emulator, loaded with the repo's firestore.rules.
 *  It uses its own project id so rules tests never see the functions' data. */
export async function rulesEnv(name: string): Promise<RulesTestEnvironment> {
  setLogLevel("silent"); // denied writes are the point of these tests, not warnings
  const [host, port] = firestoreHost.split(":");
  return initializeTestEnvironment({
    projectId: `demo-fresco-rules-${name}`,
    firestore: {
      host: host!,
      port: Number(port),
      rules: readFileSync(join(__dirname, "..", "..", "..", "firestore.rules"), "utf8"),
    },
  });
}
