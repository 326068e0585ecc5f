import { once } from "node:events";
import type { AddressInfo } from "node:net";
import express, { type Response } from "express";
import type { Request } from "firebase-functions/https";

export type HttpHandler = (req: Request, res: Response) => void | Promise<void>;

export interface HandlerServer {
  /** http://127.0.0.1:<port>/<name> */
  url(name: string): string;
  close(): Promise<void>;
}

/** Serves HTTP functions' handlers in this process (so a test can inject their deps, spy on
 *  the logger, and skip the emulator's per-request cost), each at /<name>. Express parses
 *  the query as the Functions emulator's express does (the "extended" qs parser: repeated
 *  parameters become arrays, `a[b]=1` an object). */
export async function serveHandlers(handlers: Record<string, HttpHandler>): Promise<HandlerServer> {
  const app = express();
  app.set("query parser", "extended");
  app.disable("x-powered-by");
  // As the functions runtime does for callables: a JSON body parsed, its bytes kept.
  app.use(express.json({ verify: (req, _res, buf) => void ((req as { rawBody?: Buffer }).rawBody = buf) }));
  for (const [name, handler] of Object.entries(handlers)) {
    app.all(`/${name}`, (req, res) => void handler(req as unknown as Request, res));
  }
  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
