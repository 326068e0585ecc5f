import * as logger from "firebase-functions/logger";
import { errorFields } from "../shared/log";

// Every log event of canvas snapshots, loads and ops, one function each.

export function snapshotWritten(projectId: string, opIndex: number, elementCount: number, partCount: number, ms: number): void {
  logger.info("canvas snapshot written", { projectId, opIndex, elementCount, partCount, ms });
}

/** Another run wrote a newer snapshot first; this one was dropped. */
export function snapshotObsolete(projectId: string, opIndex: number): void {
  logger.info("canvas snapshot superseded by a newer one, dropped", { projectId, opIndex });
}

export function snapshotFailed(projectId: string, error: unknown): void {
  logger.warn("canvas snapshot failed", { projectId, ...errorFields(error) });
}

export function snapshotsPruned(projectId: string, snapshotIds: string[]): void {
  logger.info("canvas snapshots pruned", { projectId, snapshotIds });
}

/** A complete head whose parts are not all there (only a racing prune can do that). */
export function snapshotUnreadable(projectId: string, snapshotId: string, missingParts: number): void {
  logger.warn("canvas snapshot has missing parts, using an older one", { projectId, snapshotId, missingParts });
}

export function projectLoaded(
  projectId: string,
  opIndex: number,
  snapshotOpIndex: number,
  opsReplayed: number,
  elementCount: number,
  more: boolean,
): void {
  logger.info("canvas project page loaded", { projectId, opIndex, snapshotOpIndex, opsReplayed, elementCount, more });
}

export function opsApplied(projectId: string, uid: string, opIndex: number, count: number): void {
  logger.info("canvas ops applied", { projectId, uid, opIndex, count });
}

export function mediaUploadCreated(projectId: string, uid: string, mediaId: string, contentType: string, sizeBytes: number): void {
  logger.info("canvas media upload created", { projectId, uid, mediaId, contentType, sizeBytes });
}
