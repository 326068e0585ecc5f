import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { callCallable, createAdmin, createUser, idTokenFor } from "../helpers/auth";
import { functionUrl } from "../helpers/emulators";

/** A signed-in test user: uid and a real ID token. */
export interface Person {
  uid: string;
  token: string;
}

export async function person(uid: string, admin = false): Promise<Person> {
  return { uid, token: await idTokenFor(admin ? await createAdmin(uid) : await createUser(uid)) };
}

/** A callable's result; a refusal throws with its status, so a test sees why. */
export async function call<T>(name: string, data: unknown, who: Person): Promise<T> {
  const { result, error } = await callCallable<T>(name, data, who.token);
  if (error) throw new Error(`${name} refused: ${error.status} ${error.message}`);
  return result as T;
}

/** A public GET through the Functions emulator: status and JSON body. */
export async function get<T = Record<string, unknown>>(
  name: string,
  query: Record<string, string | number>,
): Promise<{ status: number; body: T }> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const response = await fetch(`${functionUrl(name)}?${qs}`);
  return { status: response.status, body: (await response.json()) as T };
}

/** The webhook secret the stack generated for this run (functions/.secret.local, which the
 *  Functions emulator reads too). */
export function webhookSecret(): string {
  const text = readFileSync(join(__dirname, "..", "..", ".secret.local"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("CREDITS_WEBHOOK_SECRET="));
  if (!line) throw new Error("no CREDITS_WEBHOOK_SECRET in functions/.secret.local");
  return line.slice("CREDITS_WEBHOOK_SECRET=".length).trim();
}

/** Posts a purchase to creditsWebhook signed as the payment provider signs it. */
export async function purchase(eventId: string, uid: string, credits: number): Promise<number> {
  const body = JSON.stringify({ id: eventId, type: "credits.purchased", uid, credits });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", webhookSecret()).update(`${t}.${body}`).digest("hex");
  const response = await fetch(functionUrl("creditsWebhook"), {
    method: "POST",
    headers: { "content-type": "application/json", "fresco-signature": `t=${t},v1=${v1}` },
    body,
  });
  await response.text();
  return response.status;
}

/** JSON as the wire carries it, for comparing a direct read with an endpoint's answer. */
export const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
