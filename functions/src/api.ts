/**
 * The request and response types of every callable and HTTP endpoint, for the typed client
 * (`client/`). Types only: a callable's request is the `z.input` of the schema it validates
 * with and its response the return type of its handler; an HTTP endpoint's query is its
 * schema's output and its response the type of the function that builds the body.
 * Nothing here runs; a test checks that it names exactly the exported endpoints.
 */
import type { z } from "zod";
import type { findItemsInput } from "./admin/find";
import type * as admin from "./admin/handlers";
import type { listRunsInput, runJobInput } from "./admin/jobs";
import type { noInput, retryDeadInput } from "./admin/schemas";
import type { updateScoreInput } from "./admin/update-score";
import type * as canvas from "./canvas/handlers";
import type { loadCanvasInput } from "./canvas/load";
import type { createUploadInput } from "./canvas/media/uploads";
import type { applyOpsInput, createProjectInput } from "./canvas/ops";
import type { loadFeedPage } from "./feed/load";
import type { feedQuerySchema, generationQuerySchema } from "./feed/query";
import type { checkHealth } from "./health/check";
import type * as jams from "./jams/handlers";
import type { addEntryInput, createJamInput, debugInput, jamInput, voteInput } from "./jams/schemas";
import type { loadGeneration } from "./mirror/public";
import type { signupImages } from "./signup/select";
import type { WebhookReceipt } from "./credits/handlers";
import type { purchaseEvent } from "./credits/schemas";
import type * as images from "./images/handlers";
import type * as imageReads from "./images/reads";
import type * as imageSchemas from "./images/schemas";
import type * as people from "./people/handlers";
import type * as peopleReads from "./people/reads";
import type {
  deleteNotificationInput,
  exploreQuery,
  followInput,
  markReadInput,
  noInput as peopleNoInput,
  pageInput,
  profileQuery,
  updateProfileInput,
} from "./people/schemas";

import type * as art from "./art/handlers";
import type * as artSchemas from "./art/schemas";
import type { WatchChunk } from "./art/watch";

type Out<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;
type In<S extends z.ZodType> = z.input<S>;

/** Callables: `httpsCallable(functions, name)(request)` resolves `{ data: response }`. */
export interface Callables {
  updateAestheticScore: { request: In<ReturnType<typeof updateScoreInput>>; response: Out<typeof admin.updateScoreHandler> };
  getMirrorQueueStats: { request: In<typeof noInput>; response: Out<typeof admin.queueStatsHandler> };
  retryDeadMirrorTasks: { request: In<typeof retryDeadInput>; response: Out<typeof admin.retryDeadHandler> };
  runMaintenanceJob: { request: In<typeof runJobInput>; response: Out<typeof admin.runJobHandler> };
  listMaintenanceRuns: { request: In<typeof listRunsInput>; response: Out<typeof admin.listRunsHandler> };
  findPublicItems: { request: In<typeof findItemsInput>; response: Out<typeof admin.findItemsHandler> };
  getCacheOverview: { request: In<typeof noInput>; response: Out<typeof admin.cacheOverviewHandler> };
  createJam: { request: In<typeof createJamInput>; response: Out<typeof jams.createJamHandler> };
  closeJam: { request: In<typeof jamInput>; response: Out<typeof jams.closeJamHandler> };
  addEntry: { request: In<typeof addEntryInput>; response: Out<typeof jams.addEntryHandler> };
  vote: { request: In<typeof voteInput>; response: Out<typeof jams.voteHandler> };
  jamQueue: { request: In<typeof jamInput>; response: Out<typeof jams.jamQueueHandler> };
  getVoteDebugInfo: { request: In<typeof debugInput>; response: Out<typeof jams.voteDebugHandler> };
  createCanvasProject: { request: In<typeof createProjectInput>; response: Out<typeof canvas.createProjectHandler> };
  applyCanvasOps: { request: In<typeof applyOpsInput>; response: Out<typeof canvas.applyOpsHandler> };
  createCanvasMediaUpload: { request: In<ReturnType<typeof createUploadInput>>; response: Out<typeof canvas.createMediaUploadHandler> };
  loadCanvasProject: { request: In<typeof loadCanvasInput>; response: Out<typeof canvas.loadProjectHandler> };
  updateProfile: { request: In<typeof updateProfileInput>; response: Out<typeof people.updateProfileHandler> };
  followUser: { request: In<typeof followInput>; response: Out<typeof people.followUserHandler> };
  unfollowUser: { request: In<typeof followInput>; response: Out<typeof people.unfollowUserHandler> };
  me: { request: In<typeof peopleNoInput>; response: Out<typeof people.meHandler> };
  followingFeed: { request: In<typeof pageInput>; response: Out<typeof people.followingFeedHandler> };
  listNotifications: { request: In<typeof pageInput>; response: Out<typeof people.listNotificationsHandler> };
  markNotificationsRead: { request: In<typeof markReadInput>; response: Out<typeof people.markNotificationsReadHandler> };
  deleteNotification: { request: In<typeof deleteNotificationInput>; response: Out<typeof people.deleteNotificationHandler> };
  likeImage: { request: In<typeof imageSchemas.itemInput>; response: Out<typeof images.likeImageHandler> };
  unlikeImage: { request: In<typeof imageSchemas.itemInput>; response: Out<typeof images.unlikeImageHandler> };
  addComment: { request: In<typeof imageSchemas.addCommentInput>; response: Out<typeof images.addCommentHandler> };
  deleteComment: { request: In<typeof imageSchemas.commentInput>; response: Out<typeof images.deleteCommentHandler> };
  likeComment: { request: In<typeof imageSchemas.commentInput>; response: Out<typeof images.likeCommentHandler> };
  unlikeComment: { request: In<typeof imageSchemas.commentInput>; response: Out<typeof images.unlikeCommentHandler> };
  createCollection: { request: In<typeof imageSchemas.createCollectionInput>; response: Out<typeof images.createCollectionHandler> };
  updateCollection: { request: In<typeof imageSchemas.updateCollectionInput>; response: Out<typeof images.updateCollectionHandler> };
  deleteCollection: { request: In<typeof imageSchemas.collectionInput>; response: Out<typeof images.deleteCollectionHandler> };
  addToCollection: { request: In<typeof imageSchemas.collectionItemInput>; response: Out<typeof images.addToCollectionHandler> };
  removeFromCollection: {
    request: In<typeof imageSchemas.collectionItemInput>;
    response: Out<typeof images.removeFromCollectionHandler>;
  };
  deleteSet: { request: In<typeof imageSchemas.itemInput>; response: Out<typeof images.deleteSetHandler> };
  myImageState: { request: In<typeof imageSchemas.itemInput>; response: Out<typeof images.myImageStateHandler> };
  likedImages: { request: In<typeof imageSchemas.pageInput>; response: Out<typeof images.likedImagesHandler> };
  myCollections: { request: In<typeof imageSchemas.noInput>; response: Out<typeof images.myCollectionsHandler> };
  collectionItems: { request: In<typeof imageSchemas.collectionItemsInput>; response: Out<typeof images.collectionItemsHandler> };
  mySets: { request: In<typeof imageSchemas.mySetsInput>; response: Out<typeof images.mySetsHandler> };
  getSet: { request: In<typeof imageSchemas.itemInput>; response: Out<typeof images.getSetHandler> };
  startArtSession: { request: In<typeof artSchemas.startSessionInput>; response: Out<typeof art.startArtSessionHandler> };
  generateArt: { request: In<typeof artSchemas.generateArtInput>; response: Out<typeof art.generateArtHandler> };
  getProcessingStatus: { request: In<typeof artSchemas.requestInput>; response: Out<typeof art.getProcessingStatusHandler> };
  nextArtworks: { request: In<typeof artSchemas.nextArtworksInput>; response: Out<typeof art.nextArtworksHandler> };
  recordImpressions: { request: In<typeof artSchemas.recordImpressionsInput>; response: Out<typeof art.recordImpressionsHandler> };
  /** Streaming: `httpsCallable(functions, name).stream(request)` yields chunks, then the response. */
  watchArtSession: { request: In<typeof artSchemas.sessionInput>; response: Out<typeof art.watchArtSessionHandler> };
}

/** The chunks of each streaming callable. */
export interface StreamChunks {
  watchArtSession: WatchChunk;
}

/** A query string's parameters as the handler reads them once parsed (fields with a default
 *  may be left out). */
type Query<S extends z.ZodType> = Partial<z.output<S>>;

/** HTTP endpoints: for a GET the request is the query string, for a POST the JSON body; the
 *  response is built from the return type of the function that makes the body (the handler
 *  writes it with res.json). */
export interface HttpEndpoints {
  health: { request: Record<string, never>; response: Out<typeof checkHealth> };
  publicFeed: { request: Query<typeof feedQuerySchema>; response: Out<typeof loadFeedPage> };
  publicGeneration: { request: z.output<typeof generationQuerySchema>; response: { item: NonNullable<Out<typeof loadGeneration>> } };
  userProfile: { request: Query<typeof profileQuery>; response: Out<typeof peopleReads.userProfile> };
  explore: { request: Query<typeof exploreQuery>; response: Out<typeof peopleReads.explore> };
  imageDetails: { request: Query<typeof imageSchemas.imageDetailsQuery>; response: Out<typeof imageReads.imageDetails> };
  signupImages: { request: Record<string, never>; response: { images: ReturnType<typeof signupImages>; refreshedAt: string | null } };
  /** POST, from the payment provider (signed; never called by the apps): the request is the JSON body. */
  creditsWebhook: { request: In<typeof purchaseEvent>; response: WebhookReceipt };
}
