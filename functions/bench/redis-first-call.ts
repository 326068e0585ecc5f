import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile } from "../test/helpers/stats";
import { startRedisServer } from "../tools/redis/redis-server";
import { startUpstashBridge } from "../tools/redis/upstash-bridge";

/**
 * The first Redis call of a new instance: a fresh Node process (as a new function instance is)
 * makes the functions' client (src/cache/upstash.ts) and times its first GET, then 20 more, over
 * plain HTTP to the bridge and over TLS through an HTTPS front on it (a self-signed certificate
 * made with openssl for this run). Upstash is TLS only; what this cannot show is the network:
 * the README adds Upstash's published in-region latency to these figures.
 */
const trials = Number(process.env.BENCH_FIRST_CALL_TRIALS ?? 15);
const token = "bench-first-call";

/** An HTTPS server that forwards every request to the bridge. */
async function tlsFront(bridgeUrl: string, dir: string): Promise<{ url: string; close(): void }> {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers: Record<string, string> = {};
      for (const name of ["authorization", "upstash-encoding", "content-type"])
        if (typeof req.headers[name] === "string") headers[name] = req.headers[name];
      const upstream = await fetch(bridgeUrl + (req.url ?? "/"), { method: "POST", headers, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { "content-type": "application/json" });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

/** One fresh process: its first GET and the median of 20 after it (ms). */
function freshInstance(url: string, caFile: string): Promise<{ first: number; warm: number }> {
  const code = `
    const { upstashClient } = require(${JSON.stringify(join(__dirname, "..", "src", "cache", "upstash.ts"))});
    (async () => {
      const redis = upstashClient(process.env.URL, process.env.TOKEN);
      let t = performance.now();
      await redis.get("k");
      const first = performance.now() - t;
      const warm = [];
      for (let i = 0; i < 20; i++) { t = performance.now(); await redis.get("k"); warm.push(performance.now() - t); }
      warm.sort((a, b) => a - b);
      console.log(JSON.stringify({ first, warm: warm[10] }));
    })();`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", code], {
    cwd: join(__dirname, ".."),
    env: { ...process.env, URL: url, TOKEN: token, NODE_EXTRA_CA_CERTS: caFile },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) =>
    child.once("exit", (status) =>
      status === 0 ? resolve(JSON.parse(out) as { first: number; warm: number }) : reject(new Error(`instance exited ${status}`)),
    ),
  );
}

export async function firstCallTable(): Promise<void> {
  const server = await startRedisServer();
  const bridge = await startUpstashBridge({ redisUrl: server.url, token });
  const dir = mkdtempSync(join(tmpdir(), "fresco-tls-"));
  const front = await tlsFront(bridge.url, dir);
  try {
    const rows: string[] = [];
    for (const [name, url] of [
      ["HTTP to the bridge", bridge.url],
      ["HTTPS (TLS 1.3) front on the bridge", front.url],
    ] as const) {
      const firsts: number[] = [];
      const warms: number[] = [];
      for (let i = 0; i < trials; i++) {
        const { first, warm } = await freshInstance(url, join(dir, "cert.pem"));
        firsts.push(first);
        warms.push(warm);
      }
      const f = (x: number) => x.toFixed(1);
      rows.push(
        `| ${name} | ${f(percentile(firsts, 50))} | ${f(percentile(firsts, 95))} | ${f(Math.max(...firsts))} | ${f(percentile(warms, 50))} |`,
      );
    }
    console.log(`\n### The first Redis call of a new instance (ms; ${trials} fresh processes each, loopback)\n`);
    console.log("| transport | first GET p50 | first GET p95 | first GET max | later GETs p50 |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const row of rows) console.log(row);
  } finally {
    front.close();
    rmSync(dir, { recursive: true, force: true });
    await bridge.close();
    await server.stop();
  }
}
