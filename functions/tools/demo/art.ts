import { Timestamp } from "firebase-admin/firestore";
import { artLimits, requestPath, sessionPath } from "../../src/art/model";
import { ledgerEntryPath, purchaseReason } from "../../src/credits/model";
import { userPath } from "../../src/people/model";
import { db } from "../../src/shared/firebase";
import { emulatorIdToken } from "../stack/id-token";
import type { StackLayout } from "../stack/layout";
import { useEmulators } from "./emulator-env";

/** Bo's demo art session: fixed ids, so `npm start` shows it and a second seed changes nothing. */
export const demoArt = {
  uid: "user-bo",
  sessionId: "demo-bo-session",
  credits: 10,
  prompts: [
    { clientRequestId: "demo-art-tide", prompt: "a lighthouse at dusk", audioAnalysis: { energy: 0.3, valence: 0.6, tempo: 72 } },
    {
      clientRequestId: "demo-art-neon",
      prompt: "neon koi pond at night",
      audioAnalysis: { energy: 0.9, valence: 0.4, tempo: 140, spectrum: [0.2, 0.6, 0.9, 0.7, 0.4, 0.8, 0.3, 0.5] },
      preferences: { styles: ["synthwave"] },
    },
    { clientRequestId: "demo-art-fox", prompt: "watercolor fox in snow", musicInfo: { title: "First Snow", genre: "folk" } },
  ],
} as const;

/**
 * Generates Bo's demo artworks through the running functions, as the app would: Bo gets
 * credits (one purchase entry of his ledger), a session, and three generateArt calls, which
 * the worker turns into real pictures in the local S3 store. Returns their image URLs.
 */
export async function seedDemoArt(layout: StackLayout): Promise<string[]> {
  useEmulators();
  const { uid, sessionId } = demoArt;
  const now = Date.now();
  await db().runTransaction(async (tx) => {
    const purchase = db().doc(ledgerEntryPath(uid, "purchase", "demo-art-credits"));
    if ((await tx.get(purchase)).exists) return;
    tx.create(purchase, {
      delta: demoArt.credits,
      reason: purchaseReason,
      ref: "demo-art-credits",
      balanceAfter: demoArt.credits,
      at: Timestamp.now(),
    });
    tx.update(db().doc(userPath(uid)), { credits: demoArt.credits });
  });
  await db()
    .doc(sessionPath(sessionId))
    .set({
      uid,
      createdAt: Timestamp.fromMillis(now),
      lastUsedAt: Timestamp.fromMillis(now),
      expiresAt: Timestamp.fromMillis(now + artLimits.sessionLifeMs),
    });
  const token = await emulatorIdToken(layout.hosts.auth, uid);
  const requestIds: string[] = [];
  for (const { clientRequestId, ...inputs } of demoArt.prompts) {
    const response = await fetch(layout.functionUrl("generateArt"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ data: { sessionId, clientRequestId, ...inputs } }),
    });
    const body = (await response.json()) as { result?: { requestId: string }; error?: { message: string } };
    if (!body.result) throw new Error(`demo generateArt refused: ${body.error?.message ?? response.status}`);
    requestIds.push(body.result.requestId);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const requests = await Promise.all(requestIds.map((id) => db().doc(requestPath(id)).get()));
    if (requests.every((r) => r.get("status") !== "queued")) break;
    if (Date.now() > deadline) throw new Error("the demo artworks were not generated within 60 s");
    await new Promise((r) => setTimeout(r, 250));
  }
  const artworks = await Promise.all(requestIds.map((id) => db().doc(`artworks/${id}`).get()));
  return artworks.filter((a) => a.exists).map((a) => a.get("imageUrl") as string);
}
