import { onCall, onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import * as h from "./handlers";

// Wiring only: the logic is in likes.ts, comments.ts, collections.ts, sets.ts and reads.ts.

const withCache = { secrets: [upstashToken] };

export const likeImage = onCall(withCache, h.likeImageHandler);
export const unlikeImage = onCall(withCache, h.unlikeImageHandler);
export const addComment = onCall(withCache, h.addCommentHandler);
export const deleteComment = onCall(withCache, h.deleteCommentHandler);
export const likeComment = onCall(withCache, h.likeCommentHandler);
export const unlikeComment = onCall(withCache, h.unlikeCommentHandler);
export const createCollection = onCall(withCache, h.createCollectionHandler);
export const updateCollection = onCall(withCache, h.updateCollectionHandler);
export const deleteCollection = onCall(withCache, h.deleteCollectionHandler);
export const addToCollection = onCall(withCache, h.addToCollectionHandler);
export const removeFromCollection = onCall(withCache, h.removeFromCollectionHandler);
export const deleteSet = onCall(withCache, h.deleteSetHandler);
export const myImageState = onCall(withCache, h.myImageStateHandler);
export const likedImages = onCall(withCache, h.likedImagesHandler);
export const myCollections = onCall(withCache, h.myCollectionsHandler);
export const collectionItems = onCall(withCache, h.collectionItemsHandler);
export const mySets = onCall(withCache, h.mySetsHandler);
export const getSet = onCall(withCache, h.getSetHandler);
export const imageDetails = onRequest({ ...withCache, cors: true }, h.imageDetailsHandler());
