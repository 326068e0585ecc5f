import * as deployed from "../../src/index";
import { deployTable, type Deployed } from "../../tools/deploy/table";

interface Endpoint {
  availableMemoryMb: number;
  timeoutSeconds: number | { toString(): string };
  concurrency: number;
  maxInstances: number;
  region: unknown;
  secretEnvironmentVariables?: { key: string }[];
  callableTrigger?: object;
  httpsTrigger?: object;
  scheduleTrigger?: { schedule: string };
  eventTrigger?: { eventType: string; retry: boolean };
}

/** A function as the deploy sees it (firebase-functions' `__endpoint`), in the table's terms. */
function asDeployed(endpoint: Endpoint): Deployed & { region: string[] } {
  const param = (value: unknown) => String(value).replace("params.", "");
  const { timeoutSeconds: t, eventTrigger, scheduleTrigger } = endpoint;
  const trigger = endpoint.callableTrigger
    ? "callable"
    : endpoint.httpsTrigger
      ? "https"
      : scheduleTrigger
        ? "schedule"
        : (`firestore.${eventTrigger!.eventType.split(".").pop()}` as Deployed["trigger"]);
  return {
    trigger,
    memory: endpoint.availableMemoryMb,
    timeout: typeof t === "number" ? t : param(t),
    concurrency: endpoint.concurrency,
    maxInstances: endpoint.maxInstances,
    secrets: (endpoint.secretEnvironmentVariables ?? []).map((s) => s.key),
    ...(scheduleTrigger ? { schedule: scheduleTrigger.schedule } : {}),
    ...(eventTrigger ? { retry: eventTrigger.retry } : {}),
    region: [endpoint.region].flat().map(param),
  };
}

describe("what deploys (tools/deploy/table.json)", () => {
  const exported = Object.entries(deployed as Record<string, { __endpoint: Endpoint }>);

  it("has a row for every exported function, and no other", () => {
    expect(Object.keys(deployTable).sort()).toEqual(exported.map(([name]) => name).sort());
  });

  it.each(exported.map(([name, fn]) => [name, fn]))("%s deploys as its row says, in the project's one region", (name, fn) => {
    expect(asDeployed(fn.__endpoint)).toEqual({ ...deployTable[name], region: ["FRESCO_REGION"] });
  });

  it("caps every function's instances and retries no event without that cap", () => {
    for (const [name, row] of Object.entries(deployTable)) {
      expect([name, row.maxInstances > 0 && row.maxInstances <= 100]).toEqual([name, true]);
      if (row.retry) expect([name, row.maxInstances]).toEqual([name, 10]);
    }
  });
});
