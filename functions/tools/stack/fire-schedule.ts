import type { StackLayout } from "./layout";

/** Fires a scheduled (v2 `onSchedule`) function in the Functions emulator the way Cloud
 *  Scheduler does in production: an HTTP POST to the function's trigger.
 *  Why not a message on `firebase-schedule-<name>`: firebase-tools 14's Pub/Sub bridge only
 *  invokes event-signature functions; for a v2 schedule its debug log says
 *  "Unsupported trigger signature: http" and acks the message without running anything.
 *  The emulator keys background triggers `<region>-<name>-<generation>`; the generation grows
 *  each time it reloads the functions (turning triggers back on does), older keys stay and
 *  answer 204 without running anything. A 404 for an unknown key lists the keys: take the
 *  newest generation. */
export async function fireSchedule(layout: StackLayout, functionName: string): Promise<void> {
  const post = (key: string) =>
    fetch(`http://${layout.hosts.functions}/functions/projects/${layout.project}/triggers/${key}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
  const { region } = layout;
  const listing = await (await post(`${region}-${functionName}-listing`)).text();
  const generations = [...listing.matchAll(new RegExp(`${region}-${functionName}-(\\d+)`, "g"))].map((m) => Number(m[1]));
  if (generations.length === 0) throw new Error(`the Functions emulator has no trigger for ${functionName}: ${listing}`);
  const response = await post(`${region}-${functionName}-${Math.max(...generations)}`);
  if (response.status !== 200) throw new Error(`firing ${functionName} failed: ${response.status} ${await response.text()}`);
}
