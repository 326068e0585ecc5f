import { redisKeys } from "../../src/cache/keys";
import { Redis } from "@upstash/redis";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkHealth } from "../../src/health/check";
import { frescoVersion } from "../../src/shared/version";
import { functionUrl } from "../helpers/emulators";
import { db } from "../helpers/firestore";
import { testRedis } from "../helpers/redis";

describe("health", () => {
  it("answers over HTTP from the Functions emulator: Firestore and Redis up, with the version", async () => {
    const response = await fetch(functionUrl("health"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ status: "ok", version: frescoVersion, firestore: { ok: true }, redis: { ok: true } });
  });

  it("runs on the Node.js major that production deploys (firebase.json's runtime)", async () => {
    const { runtime } = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "firebase.json"), "utf8")).functions[0];
    expect(runtime).toBe("nodejs22");
    const body = (await (await fetch(functionUrl("health"))).json()) as { runtime: string };
    expect(body.runtime).toBe(runtime);
  });

  it("wrote and read Redis through @upstash/redis and the bridge (the probe key is there)", async () => {
    await fetch(functionUrl("health"));
    expect(await testRedis().get(redisKeys.healthProbe)).toEqual(expect.any(String));
    expect(await testRedis().ttl(redisKeys.healthProbe)).toBeGreaterThan(0);
  });

  it("refuses other methods", async () => {
    const response = await fetch(functionUrl("health"), { method: "POST" });
    expect(response.status).toBe(405);
  });

  it("reports degraded, without internals, when Redis does not answer", async () => {
    const deadRedis = new Redis({ url: "http://127.0.0.1:1", token: "x", retry: false });
    const report = await checkHealth({ db: db(), redis: deadRedis });
    expect(report.status).toBe("degraded");
    expect(report.firestore.ok).toBe(true);
    expect(report.redis.ok).toBe(false);
    expect(JSON.stringify(report)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });

  it("reports the version that package.json declares", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(frescoVersion).toBe(pkg.version);
  });
});
