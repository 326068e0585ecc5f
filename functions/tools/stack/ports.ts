import { createServer } from "node:net";
import type { NamedPort } from "./layout";

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
