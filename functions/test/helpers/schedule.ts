import { functionsHost, projectId, region } from "./emulators";

/** Fires a scheduled (v2 `onSchedule`) function in the Functions emulator the way Cloud
 *  Scheduler does in production: an HTTP POST to the function's trigger.
 *  Why not a message on `firebase-schedule-<name>`: firebase-tools 14's Pub/Sub bridge only
 *  invokes event-signature functions; for a v2 schedule its debug log says
 *  "Unsupported trigger signature: http" and acks the message without running anything. */
export async function fireSchedule(functionName: string): Promise<void> {
  const url = `http://${functionsHost}/functions/projects/${projectId}/triggers/${region}-${functionName}-0`;
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  if (!response.ok) throw new Error(`firing ${functionName} failed: ${response.status} ${await response.text()}`);
}
