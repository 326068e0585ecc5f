// Wiring only: every deployed function, exported from its domain folder.
export { health } from "./health";
export {
  getMirrorQueueStats,
  onGenerationHistoryWritten,
  processMirrorTask,
  retryDeadMirrorTasks,
  sweepMirrorQueue,
} from "./mirror";
