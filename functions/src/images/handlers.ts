import type { CallableRequest, Request } from "firebase-functions/https";
import type { Response } from "express";
import { peopleDeps as deps } from "../people/runtime";
import { parseInput, requireUserId as caller } from "../shared/callable";
import { answerRefusals, guarded, parseQuery, sendJson } from "../shared/http";
import { createCollection, deleteCollection, setInCollection, updateCollection } from "./collections";
import { addComment, deleteComment } from "./comments";
import { setCommentLike, setLike } from "./likes";
import { collectionItems, getSet, imageDetails, likedImages, myCollections, myImageState, mySets } from "./reads";
import {
  addCommentInput,
  collectionInput,
  collectionItemInput,
  collectionItemsInput,
  commentInput,
  createCollectionInput,
  imageDetailsQuery,
  itemInput,
  mySetsInput,
  noInput,
  pageInput,
  updateCollectionInput,
} from "./schemas";
import { deleteSet } from "./sets";

// The images callables (signed-in users) and the imageDetails HTTP read. Wired in index.ts.
// Each validates its input before it reads or writes anything.

/** A signed-in caller's handler: the uid, then the input parsed by `schema`. */
const signedIn =
  <S extends Parameters<typeof parseInput>[0], T>(
    schema: S,
    work: (uid: string, input: ReturnType<typeof parseInput<S>>, request: CallableRequest) => Promise<T>,
  ) =>
  (request: CallableRequest) => {
    const uid = caller(request);
    return work(uid, parseInput(schema, request.data ?? {}), request);
  };

export const likeImageHandler = signedIn(itemInput, (uid, { historyId }) => setLike(deps(), uid, historyId, true));
export const unlikeImageHandler = signedIn(itemInput, (uid, { historyId }) => setLike(deps(), uid, historyId, false));
export const addCommentHandler = signedIn(addCommentInput, (uid, { historyId, text }) => addComment(deps(), uid, historyId, text));
export const deleteCommentHandler = signedIn(commentInput, (uid, { historyId, commentId }, request) =>
  deleteComment(deps(), { uid, admin: request.auth!.token.admin === true }, historyId, commentId),
);
export const likeCommentHandler = signedIn(commentInput, (uid, { historyId, commentId }) =>
  setCommentLike(deps(), uid, historyId, commentId, true),
);
export const unlikeCommentHandler = signedIn(commentInput, (uid, { historyId, commentId }) =>
  setCommentLike(deps(), uid, historyId, commentId, false),
);
export const createCollectionHandler = signedIn(createCollectionInput, (uid, input) => createCollection(deps(), uid, input));
export const updateCollectionHandler = signedIn(updateCollectionInput, (uid, input) => updateCollection(deps(), uid, input));
export const deleteCollectionHandler = signedIn(collectionInput, (uid, { collectionId }) => deleteCollection(deps(), uid, collectionId));
export const addToCollectionHandler = signedIn(collectionItemInput, (uid, { collectionId, historyId }) =>
  setInCollection(deps(), uid, collectionId, historyId, true),
);
export const removeFromCollectionHandler = signedIn(collectionItemInput, (uid, { collectionId, historyId }) =>
  setInCollection(deps(), uid, collectionId, historyId, false),
);
export const deleteSetHandler = signedIn(itemInput, (uid, { historyId }) => deleteSet(deps(), uid, historyId));

export const myImageStateHandler = signedIn(itemInput, (uid, { historyId }) => myImageState(deps(), uid, historyId));
export const likedImagesHandler = signedIn(pageInput, (uid, { limit, cursor }) => likedImages(deps(), uid, limit, cursor));
export const myCollectionsHandler = signedIn(noInput, (uid) => myCollections(deps(), uid));
export const collectionItemsHandler = signedIn(collectionItemsInput, (uid, { collectionId, limit, cursor }) =>
  collectionItems(deps(), uid, collectionId, limit, cursor),
);
export const mySetsHandler = signedIn(mySetsInput, (uid, { prompt, model, limit, cursor }) =>
  mySets(deps(), uid, { prompt, model }, limit, cursor),
);
export const getSetHandler = signedIn(itemInput, (uid, { historyId }) => getSet(deps(), uid, historyId));

/** GET imageDetails?id=&cursor= */
export function imageDetailsHandler(readDeps = deps) {
  return (req: Request, res: Response) =>
    guarded(req, res, "imageDetails", async () => {
      const query = parseQuery(req, res, imageDetailsQuery);
      if (!query) return;
      await answerRefusals(res, async () => sendJson(req, res, await imageDetails(readDeps(), query.id, query.cursor)));
    });
}
