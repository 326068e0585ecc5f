import type { EndpointName, RequestOf, ResponseOf, WriteName } from "./endpoints";

/**
 * The one query-key factory. A read's key is `["fresco", name, request]` with the request's
 * fields in a canonical order and undefined ones dropped. An invalidation is built by the same
 * functions: `["fresco", name]` (every read of an endpoint) or `["fresco", name, fields]`
 * (the reads whose request has these fields), matched as TanStack Query matches keys (array
 * prefix, object fields as a subset). So an app can never cache under a key its invalidation
 * misses: the next-artworks incident.
 */
export type QueryKey = readonly ["fresco", ...unknown[]];

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export const queryKeys = {
  /** Every Fresco read. */
  all: (): QueryKey => ["fresco"],
  /** Every read of one endpoint, whatever its request. */
  endpoint: (name: EndpointName): QueryKey => ["fresco", name],
  /** One read: the key to cache its answer under. */
  read: <N extends EndpointName>(name: N, request: RequestOf<N>): QueryKey => ["fresco", name, canonical(request ?? {})],
  /** The reads of one endpoint whose request has these fields (a partial request). */
  matching: <N extends EndpointName>(name: N, fields: Partial<RequestOf<N>>): QueryKey => ["fresco", name, canonical(fields)],
};

/**
 * What each write makes stale in a client's cache: the reads that show what it changed. Every
 * write callable has an entry (the type requires it); it mirrors the server's invalidation map
 * (functions/src/cache/map.ts) for the client's own cache, checked by test/unit/client.test.ts.
 */
export const invalidatedBy: { [W in WriteName]: (request: RequestOf<W>, response: ResponseOf<W>) => QueryKey[] } = {
  updateAestheticScore: (r) => [
    queryKeys.endpoint("publicFeed"),
    queryKeys.endpoint("explore"),
    queryKeys.endpoint("followingFeed"),
    queryKeys.matching("userProfile", { uid: r.uid }),
    queryKeys.matching("publicGeneration", { id: r.historyId }),
    queryKeys.endpoint("signupImages"),
    queryKeys.endpoint("findPublicItems"),
    queryKeys.matching("imageDetails", { id: r.historyId }),
    ...everyListOfItems(),
  ],
  // A retried task applies its item to the public mirror.
  retryDeadMirrorTasks: () => [
    queryKeys.endpoint("getMirrorQueueStats"),
    queryKeys.endpoint("explore"),
    queryKeys.endpoint("followingFeed"),
    queryKeys.endpoint("userProfile"),
    queryKeys.endpoint("publicFeed"),
    queryKeys.endpoint("publicGeneration"),
    queryKeys.endpoint("signupImages"),
    queryKeys.endpoint("findPublicItems"),
    queryKeys.endpoint("imageDetails"),
    queryKeys.endpoint("myCollections"),
    ...everyListOfItems(),
  ],
  runMaintenanceJob: () => [
    queryKeys.endpoint("listMaintenanceRuns"),
    queryKeys.endpoint("signupImages"),
    queryKeys.endpoint("loadCanvasProject"),
  ],
  // No one can have read a new jam yet; its (uncached) queue is named for completeness.
  createJam: (_request, response) => [queryKeys.matching("jamQueue", { jamId: response.jamId })],
  closeJam: (r) => [queryKeys.matching("jamQueue", { jamId: r.jamId }), queryKeys.matching("getVoteDebugInfo", { jamId: r.jamId })],
  addEntry: (r) => [queryKeys.matching("jamQueue", { jamId: r.jamId }), queryKeys.matching("getVoteDebugInfo", { jamId: r.jamId })],
  vote: (r) => [queryKeys.matching("jamQueue", { jamId: r.jamId }), queryKeys.matching("getVoteDebugInfo", { jamId: r.jamId })],
  applyCanvasOps: (r) => [queryKeys.matching("loadCanvasProject", { projectId: r.projectId })],
  createCanvasProject: () => [],
  createCanvasMediaUpload: () => [],
  // A name or avatar shows on every item, comment and notification: every read that shows people.
  updateProfile: () => [
    queryKeys.endpoint("me"),
    queryKeys.endpoint("userProfile"),
    queryKeys.endpoint("publicFeed"),
    queryKeys.endpoint("publicGeneration"),
    queryKeys.endpoint("explore"),
    queryKeys.endpoint("followingFeed"),
    queryKeys.endpoint("signupImages"),
    queryKeys.endpoint("listNotifications"),
    queryKeys.endpoint("imageDetails"),
    ...everyListOfItems(),
  ],
  followUser: () => [
    queryKeys.endpoint("me"),
    // The target's list and unread count: another user's, which their app hears of through its
    // listener on users/{uid}; named so one client holding both (an admin tool) is never stale.
    queryKeys.endpoint("listNotifications"),
    // Both profiles change (the target's followers, the caller's following): the caller's uid is
    // not in the request, so every cached profile is refetched (a client holds a few).
    queryKeys.endpoint("userProfile"),
    queryKeys.endpoint("followingFeed"),
  ],
  unfollowUser: () => [
    queryKeys.endpoint("me"),
    // The target's list and unread count: another user's, which their app hears of through its
    // listener on users/{uid}; named so one client holding both (an admin tool) is never stale.
    queryKeys.endpoint("listNotifications"),
    // Both profiles change (the target's followers, the caller's following): the caller's uid is
    // not in the request, so every cached profile is refetched (a client holds a few).
    queryKeys.endpoint("userProfile"),
    queryKeys.endpoint("followingFeed"),
  ],
  markNotificationsRead: () => [queryKeys.endpoint("me"), queryKeys.endpoint("listNotifications")],
  deleteNotification: () => [queryKeys.endpoint("me"), queryKeys.endpoint("listNotifications")],
  // Images. The owner's or author's notifications are another user's (named for one client
  // holding both, as for follows).
  likeImage: (r) => imageSocial(r.historyId, [queryKeys.endpoint("likedImages")]),
  unlikeImage: (r) => imageSocial(r.historyId, [queryKeys.endpoint("likedImages")]),
  addComment: (r) => imageSocial(r.historyId),
  deleteComment: (r) => imageSocial(r.historyId),
  likeComment: (r) => imageSocial(r.historyId),
  unlikeComment: (r) => imageSocial(r.historyId),
  // The server's tag of a user's collections covers their saved state too (one tag, any change).
  createCollection: (_request, response) => [...collections(response.collectionId), queryKeys.endpoint("myImageState")],
  updateCollection: (r) => [...collections(r.collectionId), queryKeys.endpoint("myImageState")],
  deleteCollection: (r) => [...collections(r.collectionId), queryKeys.endpoint("myImageState")],
  addToCollection: (r) => [...collections(r.collectionId), queryKeys.matching("myImageState", { historyId: r.historyId })],
  removeFromCollection: (r) => [...collections(r.collectionId), queryKeys.matching("myImageState", { historyId: r.historyId })],
  deleteSet: (r) => [
    queryKeys.endpoint("mySets"),
    queryKeys.matching("getSet", { historyId: r.historyId }),
    queryKeys.matching("imageDetails", { id: r.historyId }),
    queryKeys.matching("publicGeneration", { id: r.historyId }),
    queryKeys.endpoint("publicFeed"),
    queryKeys.endpoint("explore"),
    queryKeys.endpoint("followingFeed"),
    queryKeys.endpoint("userProfile"),
    queryKeys.endpoint("signupImages"),
    queryKeys.endpoint("myCollections"),
    ...everyListOfItems(),
  ],
  startArtSession: () => [],
  // The credits spent show in `me`; the artwork itself arrives later (watchArtSession, or the
  // next nextArtworks once getProcessingStatus says done: neither is ever cached).
  generateArt: () => [queryKeys.endpoint("me")],
  nextArtworks: () => [],
  recordImpressions: () => [],
};

/** The lists that show items by reference (a liked list, a collection): any item change. */
function everyListOfItems(): QueryKey[] {
  return [queryKeys.endpoint("likedImages"), queryKeys.endpoint("collectionItems")];
}

/** An item's details and the caller's state of it, and the notifications it raises. */
function imageSocial(historyId: string, more: QueryKey[] = []): QueryKey[] {
  return [
    queryKeys.matching("imageDetails", { id: historyId }),
    queryKeys.matching("myImageState", { historyId }),
    queryKeys.endpoint("listNotifications"),
    queryKeys.endpoint("me"),
    ...more,
  ];
}

/** The caller's collections, and one collection's items. */
function collections(collectionId?: string): QueryKey[] {
  return [
    queryKeys.endpoint("myCollections"),
    ...(collectionId === undefined ? [] : [queryKeys.matching("collectionItems", { collectionId })]),
  ];
}
