import { parseArgs } from "node:util";
import { auth } from "../../src/shared/firebase";
import { useEmulators } from "../demo/emulator-env";
import { setAdmin } from "./grant";

/**
 * `npm run admin:grant -- --project <id> <email> [--revoke]`: the first admin of a project
 * (credentials: `gcloud auth application-default login`). Without --project: the local stack's
 * Auth emulator.
 */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { project: { type: "string", short: "P" }, revoke: { type: "boolean", default: false } },
  });
  const [email] = positionals;
  if (!email || positionals.length !== 1) throw new Error("usage: npm run admin:grant -- [--project <id>] <email> [--revoke]");
  if (values.project) {
    if (process.env.FIREBASE_AUTH_EMULATOR_HOST)
      throw new Error(`--project ${values.project}, but FIREBASE_AUTH_EMULATOR_HOST is set: unset it to reach the real project`);
    process.env.GCLOUD_PROJECT = values.project;
  } else useEmulators();
  const change = await setAdmin(auth(), email, !values.revoke);
  const where = values.project ? `project ${values.project}` : `the Auth emulator (${process.env.FIREBASE_AUTH_EMULATOR_HOST})`;
  const what = change.admin ? "is an admin" : "is no longer an admin (sessions revoked)";
  console.log(`${email} (${change.uid}) ${what} on ${where}${change.changed ? "" : ": no change, it already was so"}.`);
  if (change.admin && change.changed)
    console.log("They sign out and in again (or wait for their ID token to refresh, up to an hour) to use the panel.");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
