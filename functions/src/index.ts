/* eslint-disable @typescript-eslint/no-require-imports -- each domain is required when one of its functions is first read */
// Wiring only: every deployed function, exported from its domain folder's trigger module, as a
// getter that loads that module when the function is first read (shared/lazy-exports.ts): an
// instance loads the domain of the one function it serves.
import "./shared/global-options"; // before any function is defined
import { exportLazily } from "./shared/lazy-exports";

exportLazily(exports, [
  [() => require("./health"), ["health"]],
  [() => require("./mirror"), ["onGenerationHistoryWritten", "onGenerationWritten", "processMirrorTask", "sweepMirrorQueue"]],
  [() => require("./cache"), ["replayCacheInvalidations"]],
  [() => require("./feed"), ["publicFeed", "publicGeneration"]],
  [
    () => require("./admin"),
    [
      "findPublicItems",
      "getCacheOverview",
      "getMirrorQueueStats",
      "listMaintenanceRuns",
      "retryDeadMirrorTasks",
      "runMaintenanceJob",
      "updateAestheticScore",
    ],
  ],
  [() => require("./signup"), ["refreshSignupImageCache", "signupImages"]],
  [() => require("./jams"), ["addEntry", "closeJam", "createJam", "getVoteDebugInfo", "jamQueue", "onJamTallyWritten", "vote"]],
  [
    () => require("./canvas"),
    ["applyCanvasOps", "createCanvasMediaUpload", "createCanvasProject", "loadCanvasProject", "snapshotCanvasProjects"],
  ],
  [() => require("./canvas/media"), ["collectCanvasMedia"]],
  [() => require("./credits"), ["creditsWebhook"]],
  [
    () => require("./people"),
    [
      "deleteNotification",
      "explore",
      "followingFeed",
      "followUser",
      "listNotifications",
      "markNotificationsRead",
      "me",
      "unfollowUser",
      "updateProfile",
      "userProfile",
    ],
  ],
  [
    () => require("./images"),
    [
      "addComment",
      "addToCollection",
      "collectionItems",
      "createCollection",
      "deleteCollection",
      "deleteComment",
      "deleteSet",
      "getSet",
      "imageDetails",
      "likeComment",
      "likedImages",
      "likeImage",
      "myCollections",
      "myImageState",
      "mySets",
      "removeFromCollection",
      "unlikeComment",
      "unlikeImage",
      "updateCollection",
    ],
  ],
  [
    () => require("./art"),
    [
      "generateArt",
      "getProcessingStatus",
      "nextArtworks",
      "onArtRequestWritten",
      "recordImpressions",
      "recoverArtRequests",
      "startArtSession",
      "watchArtSession",
    ],
  ],
]);
