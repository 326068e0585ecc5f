/**
 * Each cache suite runs its own redis-server and Upstash bridge, with a counting proxy in
 * front of the bridge: every HTTP request the cache makes is recorded with its commands, and
 * the proxy can be slowed down to make Redis miss the cache's deadline.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { once } from "node:events";
import { Redis, type RedisConfigNodejs } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { Cache, type CacheDeps } from "../../src/cache/cache";
import { startRedisServer, type RedisServer } from "../../tools/redis/redis-server";
import { startUpstashBridge, type UpstashBridge } from "../../tools/redis/upstash-bridge";
import { db } from "../helpers/firestore";

export interface Recorded {
  path: string;
  commands: string[][];
}

export interface CacheHarness {
  server: RedisServer;
  bridge: UpstashBridge;
  /** A plain TCP client on the same Redis, to look behind the cache's back. */
  direct: IORedis;
  /** Requests that went through the proxy since the last reset(), oldest first. */
  requests: Recorded[];
  /** Every command name seen by the proxy since the suite started (upper case). */
  commandNames: Set<string>;
  reset(): void;
  /** Delay added to every proxied request (to push Redis past the cache's deadline). */
  setDelay(ms: number): void;
  /** An @upstash/redis client configured as in production, but through the proxy and with no retries. */
  client(options?: Partial<RedisConfigNodejs>): Redis;
  newCache(deps?: Partial<CacheDeps>): Cache;
  close(): Promise<void>;
}

export async function startCacheHarness(): Promise<CacheHarness> {
  const token = `cache-test-${randomUUID()}`;
  const server = await startRedisServer();
  const bridge = await startUpstashBridge({ redisUrl: server.url, token });
  const direct = new IORedis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  direct.on("error", () => {}); // it lives through Redis being stopped
  const requests: Recorded[] = [];
  const commandNames = new Set<string>();
  let delayMs = 0;

  const proxy = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const path = req.url ?? "/";
      const parsed = JSON.parse(body.toString("utf8")) as unknown[];
      const sent = (path.startsWith("/pipeline") || path.startsWith("/multi-exec") ? parsed : [parsed]) as string[][];
      // The client sends names in lower case; upper case reads like Redis's docs.
      const commands = sent.map(([name, ...args]) => [String(name).toUpperCase(), ...args]);
      requests.push({ path, commands });
      for (const command of commands) commandNames.add(command[0]!);
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const headers: Record<string, string> = { "content-type": "application/json" };
      for (const name of ["authorization", "upstash-encoding"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      try {
        const upstream = await fetch(bridge.url + path, { method: "POST", headers, body });
        res.writeHead(upstream.status, { "content-type": "application/json" });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      } catch (error) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `proxy: ${String(error)}` }));
      }
    })();
  });
  proxy.listen(0, "127.0.0.1");
  await once(proxy, "listening");
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;

  const client = (options: Partial<RedisConfigNodejs> = {}) =>
    new Redis({ url: proxyUrl, token, enableAutoPipelining: true, retry: false, ...options });
  // The first fetch of a process loads undici and opens the connections: not what a test's
  // 150 ms deadline should be measuring.
  await client().ping();
  return {
    server,
    bridge,
    direct,
    requests,
    commandNames,
    reset: () => void requests.splice(0),
    setDelay: (ms) => void (delayMs = ms),
    client,
    newCache: (deps = {}) => new Cache({ redis: client(), db: db(), ...deps }),
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      direct.disconnect();
      await bridge.close();
      await server.stop();
    },
  };
}

/** A promise with its resolve function outside, to hold a loader open. */
/** Starts the harness before a suite and closes it after; `use` receives it. */
export function cacheHarnessForSuite(use: (harness: CacheHarness) => void): void {
  let started: CacheHarness | undefined;
  beforeAll(async () => {
    started = await startCacheHarness();
    use(started);
  });
  afterAll(async () => {
    await started?.close();
  });
}

export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
