import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { regionOf } from "./region";
import { preflight } from "./preflight";

/**
 * `npm run deploy:check -- --project <id>`: what a non-interactive deploy to that project would
 * stop at or ship wrong, offline (tools/deploy/preflight.ts); exits 1 when anything is. Then the
 * secrets to set and the commands still to run.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { project: { type: "string", short: "P" }, "config-dir": { type: "string" } } });
  if (!values.project) {
    console.error("usage: npm run deploy:check -- --project <project-id>");
    return 2;
  }
  const id = values.project;
  // The deploy's predeploy builds the functions; discovery reads what it would upload.
  execFileSync("npm", ["run", "--silent", "build"], { cwd: join(__dirname, "..", ".."), stdio: "inherit" });
  const result = await preflight(id, { configDir: values["config-dir"] });
  console.log(`\nFresco deploy check for ${id} (dotenv files read: ${result.envFiles.join(", ") || "none"})\n`);
  if (result.problems.length === 0) console.log("No problem found in the configuration.");
  else {
    console.log(`${result.problems.length} problem(s):`);
    for (const problem of result.problems) console.log(`  ✗ ${problem}`);
  }
  console.log("\nSecrets the functions bind (Secret Manager cannot be seen from here; each must have a version):");
  for (const secret of result.secrets) {
    console.log(`  firebase functions:secrets:set ${secret.name} --project ${id}   # ${secret.functions.length} functions`);
    if (secret.unused) console.log(`      ${secret.unused}`);
  }
  console.log("\nThen:");
  console.log(`  firebase functions:artifacts:setpolicy --location ${regionOf(id)} --days 1 --force --project ${id}`);
  console.log(`  firebase deploy --only firestore,functions,hosting --project ${id} --non-interactive`);
  return result.problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
