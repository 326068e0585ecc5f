import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { regionOf } from "./region";

/** firebase.json's Hosting predeploy: builds the admin panel for the project being deployed
 *  (the CLI sets GCLOUD_PROJECT for its hooks) with that project's functions region. */
const projectId = process.env.GCLOUD_PROJECT;
if (!projectId) throw new Error("GCLOUD_PROJECT is not set (firebase deploy sets it for predeploy hooks)");
const repoRoot = resolve(__dirname, "..", "..", "..");
execFileSync(join(repoRoot, "node_modules", ".bin", "vite"), ["build", join(repoRoot, "panel")], {
  stdio: "inherit",
  env: { ...process.env, FRESCO_PANEL_REGION: regionOf(projectId) },
});
