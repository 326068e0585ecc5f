/**
 * What every deployed function does with the cache, by its exported name: the read families
 * it serves, the write actions it makes, or "uncached" (it neither reads a cached family nor
 * changes one). A test requires an entry for every export of src/index.ts, so a new function
 * cannot ship without saying which reads it makes stale. `npm run cache:map` prints it.
 */
import type { families, writes } from "./map";

type Family = keyof typeof families;
type Write = keyof typeof writes;
export type CacheUse = { reads?: Family[]; writes?: Write[] } | "uncached";

export const endpointCache: Record<string, CacheUse> = {
  health: "uncached",
  onGenerationHistoryWritten: { writes: ["mirrorChanged", "setsChanged"] },
  onGenerationWritten: { writes: ["mirrorChanged", "coverChanged"] },
  processMirrorTask: { writes: ["mirrorChanged", "coverChanged"] },
  sweepMirrorQueue: { writes: ["mirrorChanged", "coverChanged"] },
  replayCacheInvalidations: "uncached",
  publicFeed: { reads: ["feedPage", "userCard"] },
  publicGeneration: { reads: ["generation", "userCard"] },
  findPublicItems: "uncached",
  getCacheOverview: "uncached",
  getMirrorQueueStats: "uncached",
  listMaintenanceRuns: "uncached",
  retryDeadMirrorTasks: { writes: ["mirrorChanged", "coverChanged"] },
  runMaintenanceJob: { writes: ["signupSelected", "creditsChanged"] },
  updateAestheticScore: { writes: ["mirrorChanged"] },
  refreshSignupImageCache: { writes: ["signupSelected"] },
  signupImages: { reads: ["signupSelection", "generation", "userCard"] },
  addEntry: { writes: ["jamChanged"] },
  closeJam: { writes: ["jamChanged"] },
  createJam: { writes: ["jamChanged"] },
  getVoteDebugInfo: "uncached",
  jamQueue: { reads: ["jamQueue"] },
  onJamTallyWritten: "uncached",
  vote: { writes: ["jamChanged"] },
  applyCanvasOps: "uncached",
  createCanvasMediaUpload: "uncached",
  createCanvasProject: "uncached",
  loadCanvasProject: "uncached",
  snapshotCanvasProjects: "uncached",
  collectCanvasMedia: "uncached",
  updateProfile: { writes: ["profileUpdated"] },
  followUser: { writes: ["followChanged", "profileUpdated"] },
  unfollowUser: { writes: ["followChanged", "profileUpdated"] },
  me: { reads: ["me"], writes: ["profileUpdated"] },
  followingFeed: { reads: ["followingFeed", "userCard"], writes: ["profileUpdated"] },
  listNotifications: { reads: ["notifications", "userCard"], writes: ["profileUpdated"] },
  markNotificationsRead: { writes: ["notificationsChanged", "profileUpdated"] },
  deleteNotification: { writes: ["notificationsChanged", "profileUpdated"] },
  userProfile: { reads: ["userProfile", "userCard"] },
  explore: { reads: ["explore", "userCard"] },
  creditsWebhook: { writes: ["creditsChanged", "profileUpdated"] },
  likeImage: { writes: ["imageLiked", "notificationsChanged", "profileUpdated"] },
  unlikeImage: { writes: ["imageLiked", "profileUpdated"] },
  addComment: { writes: ["commentAdded", "notificationsChanged", "profileUpdated"] },
  deleteComment: { writes: ["commentDeleted"] },
  likeComment: { writes: ["commentLiked", "notificationsChanged", "profileUpdated"] },
  unlikeComment: { writes: ["commentLiked", "profileUpdated"] },
  createCollection: { writes: ["collectionChanged", "profileUpdated"] },
  updateCollection: { writes: ["collectionChanged"] },
  deleteCollection: { writes: ["collectionChanged"] },
  addToCollection: { writes: ["collectionItemsChanged"] },
  removeFromCollection: { writes: ["collectionItemsChanged"] },
  deleteSet: { writes: ["setsChanged", "mirrorChanged", "coverChanged"] },
  myImageState: { reads: ["viewerState"] },
  likedImages: { reads: ["likedImages", "userCard"] },
  myCollections: { reads: ["myCollections"] },
  collectionItems: { reads: ["collectionItems", "userCard"] },
  mySets: { reads: ["mySets"] },
  getSet: { reads: ["set"] },
  imageDetails: { reads: ["imageDetails", "userCard"] },
  // Art: generateArt spends credits; a failed request's worker or recovery refunds them. The art
  // reads are not cached: nextArtworks changes what it answers with every call (it records what
  // it served), and a request's status is live state (Firestore and the worker's Redis entry).
  startArtSession: "uncached",
  generateArt: { writes: ["creditsChanged"] },
  getProcessingStatus: "uncached",
  nextArtworks: "uncached",
  recordImpressions: "uncached",
  watchArtSession: "uncached",
  onArtRequestWritten: { writes: ["creditsChanged"] },
  recoverArtRequests: { writes: ["creditsChanged"] },
};
