/**
 * The deploy preflight (tools/deploy/preflight.ts) on the built functions, with firebase-tools'
 * own discovery and params resolution: each wrong configuration is refused by name, a complete
 * one passes. Each case gets a dotenv folder of its own (firebase-tools' `configDir`), holding
 * the checkout's functions/.env and a project file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discover, preflight, type DiscoveredBuild } from "../../tools/deploy/preflight";
import { regionOf } from "../../tools/deploy/region";

const functionsDir = join(__dirname, "..", "..");
const project = "fresco-prod-check";
const complete = {
  UPSTASH_REDIS_REST_URL: "https://eu1-fresco-12345.upstash.io",
  MEDIA_BUCKET: "fresco-prod-media",
  MEDIA_S3_ENDPOINT: "https://s3.eu-central-1.example-store.com",
  MEDIA_S3_REGION: "eu-central-1",
  ART_IMAGE_BASE_URL: "https://media.fresco.example",
};
const dirs: string[] = [];
/** The built functions as firebase-tools discovers them (once: it loads every module). */
let build: DiscoveredBuild;

beforeAll(async () => {
  if (!existsSync(join(functionsDir, "lib", "index.js"))) execFileSync("npm", ["run", "--silent", "build"], { cwd: functionsDir });
  build = await discover(project);
}, 60_000);
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A dotenv folder: functions/.env (changed as asked) and .env.<project> with `values`. */
function config(values: Record<string, string> | undefined, dotenv: (text: string) => string = (t) => t, id = project): string {
  const dir = mkdtempSync(join(tmpdir(), "fresco-deploy-check-"));
  dirs.push(dir);
  writeFileSync(join(dir, ".env"), dotenv(readFileSync(join(functionsDir, ".env"), "utf8")));
  if (values)
    writeFileSync(
      join(dir, `.env.${id}`),
      Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n") + "\n",
    );
  return dir;
}

describe("npm run deploy:check", () => {
  it("passes a complete configuration and lists every secret the functions bind, with the functions", async () => {
    const result = await preflight(project, { configDir: config(complete), build });
    expect(result.problems).toEqual([]);
    expect(result.secrets.map((s) => s.name).sort()).toEqual([
      "ART_PROVIDER_API_KEY",
      "CREDITS_WEBHOOK_SECRET",
      "MEDIA_S3_ACCESS_KEY_ID",
      "MEDIA_S3_SECRET_ACCESS_KEY",
      "UPSTASH_REDIS_REST_TOKEN",
    ]);
    for (const secret of result.secrets) expect([secret.name, secret.functions.length > 0]).toEqual([secret.name, true]);
    expect(result.secrets.find((s) => s.name === "CREDITS_WEBHOOK_SECRET")!.functions).toEqual(["creditsWebhook"]);
    expect(result.secrets.some((s) => s.unused)).toBe(false);
  }, 60_000);

  it("resolves the one region from the project's file, us-central1 by default, as the panel and tools read it", async () => {
    expect(regionOf(project, config(complete))).toBe("us-central1");
    const moved = config({ ...complete, FRESCO_REGION: "europe-west1" });
    expect(regionOf(project, moved)).toBe("europe-west1");
    expect((await preflight(project, { configDir: moved, build })).problems).toEqual([]);
  }, 60_000);

  it("names each param a non-interactive deploy would stop at, defaults in the code included", async () => {
    const result = await preflight(project, { configDir: config(undefined), build });
    const named = result.problems.map((p) => p.split(" ")[0]).sort();
    expect(named).toEqual(["ART_IMAGE_BASE_URL", "MEDIA_BUCKET", "MEDIA_S3_ENDPOINT", "MEDIA_S3_REGION", "UPSTASH_REDIS_REST_URL"]);
    expect(result.problems.join("\n")).toContain(`functions/.env.${project}`);
  }, 60_000);

  it("refuses a loopback, emulator or plain-HTTP value", async () => {
    const result = await preflight(project, {
      configDir: config({
        ...complete,
        UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079",
        MEDIA_S3_ENDPOINT: "http://localhost:4569",
        ART_IMAGE_BASE_URL: "http://media.fresco.example",
      }),
      build,
    });
    expect([...result.problems].sort()).toEqual([
      expect.stringMatching(/^ART_IMAGE_BASE_URL=http:\/\/media.fresco.example is plain HTTP/),
      expect.stringMatching(/^MEDIA_S3_ENDPOINT=http:\/\/localhost:4569 only works locally/),
      expect.stringMatching(/^UPSTASH_REDIS_REST_URL=http:\/\/127.0.0.1:8079 only works locally/),
    ]);
  }, 60_000);

  it("refuses the local art provider from the shared file, and accepts it when the project's file says so", async () => {
    const shared = (text: string) => text.replace(/^ART_PROVIDER=openai$/m, "ART_PROVIDER=local");
    const refused = await preflight(project, { configDir: config(complete, shared), build });
    expect(refused.problems).toEqual([expect.stringMatching(/^ART_PROVIDER is local/)]);
    const meant = await preflight(project, { configDir: config({ ...complete, ART_PROVIDER: "local" }), build });
    expect(meant.problems).toEqual([]);
    expect(meant.secrets.find((s) => s.name === "ART_PROVIDER_API_KEY")!.unused).toMatch(/set any placeholder/);
  }, 60_000);

  it("refuses a demo project and a malformed id", async () => {
    const demo = await preflight("demo-fresco", { configDir: config(complete, undefined, "demo-fresco"), build });
    expect(demo.problems).toEqual([expect.stringMatching(/demo project/)]);
    const malformed = await preflight("Fresco_Prod", { configDir: config(complete, undefined, "Fresco_Prod"), build });
    expect(malformed.problems).toEqual([expect.stringMatching(/not a Firebase project id/)]);
  }, 60_000);

  it("keeps functions/.env right in production: no loopback value, no local provider", () => {
    const text = readFileSync(join(functionsDir, ".env"), "utf8");
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|ART_PROVIDER=local/);
  });
});
