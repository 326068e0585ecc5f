import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** A local S3-compatible store (s3rver, an npm package: it runs offline, unlike the
 *  Firebase Storage emulator) for the media garbage collector under `npm start`/`npm test`. */
export async function startS3Server(port: number, bucket: string): Promise<{ url: string; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), "fresco-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
