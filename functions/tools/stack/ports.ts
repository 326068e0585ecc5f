import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { firebaseConfigPath } from "./paths";

export interface NamedPort { name: string; host: string; port: number }

/** Every port the emulators will bind, as firebase.json declares them. */
export function emulatorPorts(offset = 0): NamedPort[] {
  const config = JSON.parse(readFileSync(firebaseConfigPath, "utf8")) as {
    emulators: Record<string, { host?: string; port?: number; websocketPort?: number; enabled?: boolean }>;
  };
  const ports: NamedPort[] = [];
  for (const [name, entry] of Object.entries(config.emulators)) {
    if (typeof entry !== "object" || entry.enabled === false) continue;
    const host = entry.host ?? "127.0.0.1";
    if (entry.port) ports.push({ name: `${name} emulator`, host, port: entry.port + offset });
    if (entry.websocketPort) ports.push({ name: `${name} websocket`, host, port: entry.websocketPort + offset });
  }
  return ports;
}

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Fails with one clear message naming every taken port and what wanted it. */
export async function assertPortsFree(ports: NamedPort[]): Promise<void> {
  const taken: NamedPort[] = [];
  for (const p of ports) if (!(await isPortFree(p.host, p.port))) taken.push(p);
  if (taken.length === 0) return;
  const list = taken.map((p) => `  - ${p.host}:${p.port} (${p.name})`).join("\n");
  throw new Error(
    `These ports are already in use:\n${list}\n` +
      "Is another `npm start` or `npm test` of Fresco running? Stop it (Ctrl-C), or find the owner with " +
      `\`lsof -i :${taken[0]!.port}\` (or \`ss -ltnp\`) and stop that process.`,
  );
}
