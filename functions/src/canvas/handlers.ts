import type { CallableRequest } from "firebase-functions/https";
import { parseInput, requireUser } from "../shared/callable";
import { db } from "../shared/firebase";
import { loadCanvasInput, loadCanvasPage, type CanvasPage } from "./load";
import * as logs from "./logs";
import { mediaMaxUploadBytes } from "./media/config";
import { createUpload, createUploadInput, uploadStoreFromParams, type CreatedUpload } from "./media/uploads";
import { projectPath } from "./model";
import { limitSettings } from "../limits/config";
import { applyCanvasOps, applyOpsInput, createCanvasProject, createProjectInput, requireOwnProject } from "./ops";

// The canvas editor's callables (signed-in users, their own projects). Wired in index.ts.

const uploads = uploadStoreFromParams();

export async function createProjectHandler(request: CallableRequest): Promise<{ projectId: string }> {
  const uid = requireUser(request);
  const input = parseInput(createProjectInput, request.data);
  const max = limitSettings.projectsPerUser.value();
  return { projectId: await createCanvasProject(db(), uid, input.title, Date.now(), undefined, max) };
}

export async function applyOpsHandler(request: CallableRequest): Promise<{ opIndex: number }> {
  const uid = requireUser(request);
  const input = parseInput(applyOpsInput, request.data);
  const result = await applyCanvasOps({ db: db(), uploads }, uid, input);
  logs.opsApplied(input.projectId, uid, result.opIndex, input.ops.length);
  return result;
}

export async function createMediaUploadHandler(request: CallableRequest): Promise<CreatedUpload> {
  const uid = requireUser(request);
  const input = parseInput(createUploadInput(mediaMaxUploadBytes.value()), request.data);
  requireOwnProject(await db().doc(projectPath(input.projectId)).get(), uid);
  const created = await createUpload(db(), uploads, uid, input);
  logs.mediaUploadCreated(input.projectId, uid, created.mediaId, input.contentType, input.sizeBytes);
  return created;
}

export async function loadProjectHandler(request: CallableRequest): Promise<CanvasPage> {
  const uid = requireUser(request);
  return loadCanvasPage(db(), uid, parseInput(loadCanvasInput, request.data));
}
