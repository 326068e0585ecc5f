// Wiring only: every deployed function, exported from its domain folder.
export { health } from "./health";
export {
  getMirrorQueueStats,
  onGenerationHistoryWritten,
  processMirrorTask,
  retryDeadMirrorTasks,
  sweepMirrorQueue,
} from "./mirror";
export { replayCacheInvalidations } from "./cache";
export { publicFeed, publicGeneration } from "./feed";
export { updateAestheticScore } from "./admin";
export { onGenerationChangedForSignup, refreshSignupImageCache, signupImages } from "./signup";
export { loadCanvasProject, snapshotCanvasProjects } from "./canvas";
export { collectCanvasMedia } from "./media";
export { runMaintenanceJob } from "./maintenance";
