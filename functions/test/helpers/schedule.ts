import { projectId, pubsubHost } from "./emulators";

/** Fires a scheduled function in the Functions emulator the way Cloud Scheduler does:
 *  a message on the `firebase-schedule-<name>` topic (the emulator has no scheduler). */
export async function fireSchedule(functionName: string): Promise<void> {
  const topic = `projects/${projectId}/topics/firebase-schedule-${functionName}`;
  const data = Buffer.from(JSON.stringify({})).toString("base64");
  const response = await fetch(`http://${pubsubHost}/v1/${topic}:publish`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ data }] }),
  });
  if (!response.ok) throw new Error(`publishing to ${topic} failed: ${response.status} ${await response.text()}`);
}
