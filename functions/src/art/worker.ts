import { z } from "zod";
import type { ArtDeps } from "./deps";
import { artImagePath } from "./images";
import * as logs from "./logs";
import { requestPath } from "./model";
import { completeRequest, deferRequest, failRequest } from "./outcomes";
import { ProviderError, type ArtInputs } from "./providers/provider";
import { generateArtInput } from "./schemas";
import { newWorkerId, type EntryUpdate } from "./status";

/** A stored request as the worker reads it (written by generateArt; checked again here,
 *  as every queue item is, before anything is generated from it). */
const storedRequest = z.object({
  uid: z.string().min(1),
  sessionId: z.string().min(1),
  status: z.enum(["queued", "done", "failed"]),
  prompt: z.string(),
  musicInfo: generateArtInput.shape.musicInfo,
  preferences: generateArtInput.shape.preferences,
  audioAnalysisJson: z.string().optional(),
  attempt: z.number().int().min(1),
  failures: z.number().int().min(0),
});

export type WorkerOutcome = "ended" | "held" | "lost" | "done" | "deferred" | "failed";

/** Thrown inside a run once its worker no longer holds the request (the recovery took it back). */
class ClaimLost extends Error {}

/**
 * Runs one dispatch of a request: claim it in Redis (SET NX: a duplicated or late event finds
 * it held and stops), generate, store the picture, and complete. Safe to run any number of
 * times: completion is one transaction on a request still queued, so a second worker that gets
 * this far finds it done and deletes only its own picture; a crash at any line leaves the
 * request queued with a claim whose heartbeat stops, and the recovery job dispatches it again.
 */
export async function processArtRequest(deps: ArtDeps, requestId: string): Promise<WorkerOutcome> {
  const snap = await deps.db.doc(requestPath(requestId)).get();
  if (!snap.exists || snap.get("status") !== "queued") return "ended";
  const parsed = storedRequest.safeParse(snap.data());
  if (!parsed.success) {
    await failRequest(deps, requestId, "The request could not be read.", `malformed request: ${parsed.error.message.slice(0, 300)}`);
    return "failed";
  }
  const request = parsed.data;
  const worker = newWorkerId();
  if (!(await deps.statuses.claim(requestId, worker, request.attempt))) {
    logs.claimHeld(requestId, request.attempt);
    return "held";
  }
  logs.claimed(requestId, request.attempt, worker);
  let lost = false;
  const update = async (change: EntryUpdate) => {
    try {
      if (!(await deps.statuses.update(requestId, worker, change))) lost = true;
    } catch (error) {
      // Progress is for the user's eyes: a Redis failure does not stop the generation (its
      // completion is a Firestore transaction that needs no claim to be safe).
      logs.statusUpdateFailed(requestId, error);
    }
  };
  const heartbeat = setInterval(() => void update({}), deps.settings.heartbeatMs);
  let lastReport = 0;
  try {
    const report = async (stage: string, progress: number) => {
      if (lost) throw new ClaimLost();
      if (deps.now() - lastReport < 200) return;
      lastReport = deps.now();
      await update({ stage, progress });
    };
    const provider = deps.provider();
    const image = await provider.generate(inputsOf(request), report);
    lastReport = 0;
    await report("storing", 90);
    const path = artImagePath(request.uid, requestId, worker, image.contentType);
    await deps.images.put(path, image.bytes, image.contentType);
    if (lost) {
      await deps.images.delete(path).catch((error: unknown) => logs.orphanNotDeleted(path, error));
      throw new ClaimLost();
    }
    const { bytes, ...shape } = image;
    if (
      !(await completeRequest(deps, requestId, { imageUrl: deps.images.url(path), storagePath: path, provider: provider.name, ...shape }))
    ) {
      await deps.images.delete(path).catch((error: unknown) => logs.orphanNotDeleted(path, error));
      await deps.statuses.release(requestId, worker).catch(() => undefined);
      return "ended";
    }
    await update({ status: "done", stage: "done", progress: 100, artworkId: requestId });
    logs.generated(request.uid, request.sessionId, requestId, provider.name, bytes.length);
    return "done";
  } catch (error) {
    if (error instanceof ClaimLost) {
      logs.claimLost(requestId, worker);
      return "lost";
    }
    return settleFailure(deps, requestId, worker, request, error);
  } finally {
    clearInterval(heartbeat);
  }
}

/** A run failed: a refused prompt (or the last allowed failure) fails the request and refunds
 *  it; anything else is retried by the recovery job after a backoff. */
async function settleFailure(
  deps: ArtDeps,
  requestId: string,
  worker: string,
  request: z.infer<typeof storedRequest>,
  error: unknown,
): Promise<WorkerOutcome> {
  const permanent = error instanceof ProviderError && !error.retryable;
  if (permanent || request.failures + 1 >= deps.settings.maxAttempts) {
    const message = error instanceof ProviderError ? error.clientMessage : "The image could not be generated.";
    if (!(await failRequest(deps, requestId, message, String(error), request.attempt))) return "ended"; // another dispatch has it
    await deps.statuses.update(requestId, worker, { status: "failed", stage: "failed", error: message }).catch(() => undefined);
    return "failed";
  }
  logs.runFailed(requestId, request.attempt, error);
  if (!(await deferRequest(deps, requestId, request.attempt, String(error)))) return "ended";
  await deps.statuses.release(requestId, worker).catch((e: unknown) => logs.statusUpdateFailed(requestId, e));
  return "deferred";
}

function inputsOf(request: z.infer<typeof storedRequest>): ArtInputs {
  let audioAnalysis: Record<string, unknown> | undefined;
  if (request.audioAnalysisJson) audioAnalysis = JSON.parse(request.audioAnalysisJson) as Record<string, unknown>;
  return {
    prompt: request.prompt,
    ...(audioAnalysis ? { audioAnalysis } : {}),
    ...(request.musicInfo ? { musicInfo: request.musicInfo } : {}),
    ...(request.preferences ? { preferences: request.preferences } : {}),
  };
}
