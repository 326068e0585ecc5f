import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export interface S3Server {
  url: string;
  /** Stops the server but keeps its files (a test's store then fails like one that is down). */
  closeServer(): Promise<void>;
  /** Stops the server and removes its files. */
  stop(): Promise<void>;
}

/** A local S3-compatible store (s3rver, an npm package: it runs offline, unlike the Firebase
 *  Storage emulator) on loopback, with the bucket created; port 0 picks a free one. It
 *  accepts requests signed with the key id and secret S3RVER/S3RVER. The one launcher of the
 *  stack, the tests and the benchmarks. */
export async function startS3Server(port: number, bucket: string): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), "fresco-s3-"));
  const server = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  let closed: Promise<void> | undefined;
  const closeServer = () => (closed ??= server.close());
  return {
    url: `http://127.0.0.1:${address.port}`,
    closeServer,
    stop: async () => {
      await closeServer();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** s3rver's fixed credentials. */
export const s3rverCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
