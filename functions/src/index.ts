// Wiring only: every deployed function, exported from its domain folder's trigger module.
export { health } from "./health";
export { onGenerationHistoryWritten, onGenerationWritten, processMirrorTask, sweepMirrorQueue } from "./mirror";
export { replayCacheInvalidations } from "./cache";
export { publicFeed, publicGeneration } from "./feed";
export {
  findPublicItems,
  getCacheOverview,
  getMirrorQueueStats,
  listMaintenanceRuns,
  retryDeadMirrorTasks,
  runMaintenanceJob,
  updateAestheticScore,
} from "./admin";
export { refreshSignupImageCache, signupImages } from "./signup";
export { addEntry, closeJam, createJam, getVoteDebugInfo, jamQueue, onJamTallyWritten, vote } from "./jams";
export { applyCanvasOps, createCanvasMediaUpload, createCanvasProject, loadCanvasProject, snapshotCanvasProjects } from "./canvas";
export { collectCanvasMedia } from "./canvas/media";
export { creditsWebhook } from "./credits";
export {
  deleteNotification,
  explore,
  followingFeed,
  followUser,
  listNotifications,
  markNotificationsRead,
  me,
  unfollowUser,
  updateProfile,
  userProfile,
} from "./people";
export {
  addComment,
  addToCollection,
  collectionItems,
  createCollection,
  deleteCollection,
  deleteComment,
  deleteSet,
  getSet,
  imageDetails,
  likeComment,
  likedImages,
  likeImage,
  myCollections,
  myImageState,
  mySets,
  removeFromCollection,
  unlikeComment,
  unlikeImage,
  updateCollection,
} from "./images";
export {
  generateArt,
  getProcessingStatus,
  nextArtworks,
  onArtRequestWritten,
  recordImpressions,
  recoverArtRequests,
  startArtSession,
  watchArtSession,
} from "./art";
