import { onCall, onRequest } from "firebase-functions/https";
import { upstashToken } from "../cache/config";
import * as h from "./handlers";
import { appCheck } from "../limits/config";
import { limitedCall, limitedRead } from "../limits/wrap";

// Wiring only: the logic is in likes.ts, comments.ts, collections.ts, sets.ts and reads.ts.

const withCache = { secrets: [upstashToken], ...appCheck };

export const likeImage = onCall(withCache, limitedCall("likeImage", h.likeImageHandler));
export const unlikeImage = onCall(withCache, limitedCall("unlikeImage", h.unlikeImageHandler));
export const addComment = onCall(withCache, limitedCall("addComment", h.addCommentHandler));
export const deleteComment = onCall(withCache, limitedCall("deleteComment", h.deleteCommentHandler));
export const likeComment = onCall(withCache, limitedCall("likeComment", h.likeCommentHandler));
export const unlikeComment = onCall(withCache, limitedCall("unlikeComment", h.unlikeCommentHandler));
export const createCollection = onCall(withCache, limitedCall("createCollection", h.createCollectionHandler));
export const updateCollection = onCall(withCache, limitedCall("updateCollection", h.updateCollectionHandler));
export const deleteCollection = onCall(withCache, limitedCall("deleteCollection", h.deleteCollectionHandler));
export const addToCollection = onCall(withCache, limitedCall("addToCollection", h.addToCollectionHandler));
export const removeFromCollection = onCall(withCache, limitedCall("removeFromCollection", h.removeFromCollectionHandler));
export const deleteSet = onCall(withCache, limitedCall("deleteSet", h.deleteSetHandler));
export const myImageState = onCall(withCache, limitedCall("myImageState", h.myImageStateHandler));
export const likedImages = onCall(withCache, limitedCall("likedImages", h.likedImagesHandler));
export const myCollections = onCall(withCache, limitedCall("myCollections", h.myCollectionsHandler));
export const collectionItems = onCall(withCache, limitedCall("collectionItems", h.collectionItemsHandler));
export const mySets = onCall(withCache, limitedCall("mySets", h.mySetsHandler));
export const getSet = onCall(withCache, limitedCall("getSet", h.getSetHandler));
export const imageDetails = onRequest({ ...withCache, cors: true }, limitedRead("imageDetails", h.imageDetailsHandler()));
