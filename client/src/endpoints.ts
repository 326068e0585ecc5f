import type { Callables, HttpEndpoints, StreamChunks } from "../../functions/src/api";

/**
 * Every callable and HTTP endpoint of Fresco, by the name it is deployed under. The types
 * come from the functions themselves (functions/src/api.ts); this list is the runtime half,
 * and `satisfies` makes the compiler refuse a list that misses or invents one.
 */
export const callables = {
  updateAestheticScore: { access: "admin", effect: "write" },
  getMirrorQueueStats: { access: "admin", effect: "read" },
  retryDeadMirrorTasks: { access: "admin", effect: "write" },
  // The function may run 540 s; the SDK's default deadline is 70 s.
  runMaintenanceJob: { access: "admin", effect: "write", timeoutSeconds: 550 },
  listMaintenanceRuns: { access: "admin", effect: "read" },
  findPublicItems: { access: "admin", effect: "read" },
  getCacheOverview: { access: "admin", effect: "read" },
  getVoteDebugInfo: { access: "admin", effect: "read" },
  createJam: { access: "user", effect: "write" },
  closeJam: { access: "user", effect: "write" },
  addEntry: { access: "user", effect: "write" },
  vote: { access: "user", effect: "write" },
  jamQueue: { access: "user", effect: "read" },
  createCanvasProject: { access: "user", effect: "write" },
  applyCanvasOps: { access: "user", effect: "write" },
  createCanvasMediaUpload: { access: "user", effect: "write" },
  loadCanvasProject: { access: "user", effect: "read" },
  updateProfile: { access: "user", effect: "write" },
  followUser: { access: "user", effect: "write" },
  unfollowUser: { access: "user", effect: "write" },
  me: { access: "user", effect: "read" },
  followingFeed: { access: "user", effect: "read" },
  listNotifications: { access: "user", effect: "read" },
  markNotificationsRead: { access: "user", effect: "write" },
  deleteNotification: { access: "user", effect: "write" },
  likeImage: { access: "user", effect: "write" },
  unlikeImage: { access: "user", effect: "write" },
  addComment: { access: "user", effect: "write" },
  deleteComment: { access: "user", effect: "write" },
  likeComment: { access: "user", effect: "write" },
  unlikeComment: { access: "user", effect: "write" },
  createCollection: { access: "user", effect: "write" },
  updateCollection: { access: "user", effect: "write" },
  deleteCollection: { access: "user", effect: "write" },
  addToCollection: { access: "user", effect: "write" },
  removeFromCollection: { access: "user", effect: "write" },
  deleteSet: { access: "user", effect: "write" },
  myImageState: { access: "user", effect: "read" },
  likedImages: { access: "user", effect: "read" },
  myCollections: { access: "user", effect: "read" },
  collectionItems: { access: "user", effect: "read" },
  mySets: { access: "user", effect: "read" },
  getSet: { access: "user", effect: "read" },
  startArtSession: { access: "user", effect: "write" },
  generateArt: { access: "user", effect: "write" },
  // Changed by the worker, not by a write of this client: never served from the cache.
  getProcessingStatus: { access: "user", effect: "read", live: true },
  // Each call records what it served (the pool never repeats): a take, not a read, so a client
  // never answers it from a cache (the next-artworks incident: a cached list hid new art).
  nextArtworks: { access: "user", effect: "write" },
  recordImpressions: { access: "user", effect: "write" },
  // A stream of the session's new artworks until the client stops it (frescoClient.watch).
  watchArtSession: { access: "user", effect: "read", stream: true, timeoutSeconds: 3600 },
} as const satisfies {
  [N in keyof Callables]: { access: "admin" | "user"; effect: "read" | "write"; timeoutSeconds?: number; live?: true; stream?: true };
};

export const httpEndpoints = {
  health: { method: "GET" },
  publicFeed: { method: "GET" },
  publicGeneration: { method: "GET" },
  signupImages: { method: "GET" },
  userProfile: { method: "GET" },
  explore: { method: "GET" },
  imageDetails: { method: "GET" },
  // Called by the payment provider (signed), never by the apps: not a read, so not an HttpName.
  creditsWebhook: { method: "POST" },
} as const satisfies { [N in keyof HttpEndpoints]: { method: "GET" | "POST" } };

export type CallableName = keyof Callables;
/** The callables that change something: each must say what it invalidates (query-keys.ts). */
export type WriteName = { [N in CallableName]: (typeof callables)[N]["effect"] extends "write" ? N : never }[CallableName];
/** The HTTP endpoints a client reads (GET): what `frescoClient.get` and the query cache take. */
export type HttpName = { [N in keyof HttpEndpoints]: (typeof httpEndpoints)[N]["method"] extends "GET" ? N : never }[keyof HttpEndpoints];
/** The POST endpoints (webhooks): servers call them, the typed client does not. */
export type WebhookName = Exclude<keyof HttpEndpoints, HttpName>;
export type EndpointName = CallableName | HttpName;
export type RequestOf<N extends EndpointName> = N extends CallableName
  ? Callables[N]["request"]
  : N extends HttpName
    ? HttpEndpoints[N]["request"]
    : never;
export type ResponseOf<N extends EndpointName> = N extends CallableName
  ? Callables[N]["response"]
  : N extends HttpName
    ? HttpEndpoints[N]["response"]
    : never;

/** The streaming callables and the chunks they send. */
export type StreamName = keyof StreamChunks;
export type ChunkOf<N extends StreamName> = StreamChunks[N];

export const endpointNames = [...Object.keys(callables), ...Object.keys(httpEndpoints)] as Array<EndpointName | WebhookName>;
