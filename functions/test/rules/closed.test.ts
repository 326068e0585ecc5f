import { assertFails } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { rulesEnv } from "./rules-env";

describe("firestore.rules: closed by default", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("closed");
  });
  afterAll(() => env.cleanup());

  // Server-only collections: the functions use the Admin SDK; clients go through callables
  // and HTTP endpoints.
  it.each([
    "health/probe",
    "anything/else",
    "adminAudit/x",
    "signupImageCache/current",
    "maintenanceRuns/r1",
    "maintenanceCursors/snapshotCanvasProjects",
    "canvasProjects/p1",
    "canvasProjects/p1/elements/e1",
    "canvasProjects/p1/ops/0000000001",
    "canvasProjects/p1/snapshots/s1",
    "canvasMedia/m1",
  ])("denies reads and writes of %s, signed in or not", async (path) => {
    for (const context of [env.unauthenticatedContext(), env.authenticatedContext("alice")]) {
      const ref = context.firestore().doc(path);
      await assertFails(ref.get());
      await assertFails(ref.set({ a: 1 }));
    }
  });
});
