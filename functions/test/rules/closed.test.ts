import { assertFails } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { rulesEnv } from "./rules-env";

describe("firestore.rules: closed by default", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("closed");
  });
  afterAll(() => env.cleanup());

  it.each(["health/probe", "anything/else", "adminAudit/x"])("denies reads and writes of %s, signed in or not", async (path) => {
    for (const context of [env.unauthenticatedContext(), env.authenticatedContext("alice")]) {
      const ref = context.firestore().doc(path);
      await assertFails(ref.get());
      await assertFails(ref.set({ a: 1 }));
    }
  });
});
