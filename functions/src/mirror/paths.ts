/** Collection names of the mirror pipeline, as in firestore.rules and the README. */
export const generationHistory = "generationHistory";
export const historyItems = "items";
export const generations = "generations";
export const mirrorQueue = "mirrorQueue";
/** `historyOwners/{historyId}`: `{ uid, claimedAt }`, the first user whose item with this id
 *  became public. The id stays theirs: the pipeline and the rules refuse everyone else. */
export const historyOwners = "historyOwners";

export const sourcePath = (uid: string, historyId: string) => `${generationHistory}/${uid}/${historyItems}/${historyId}`;
export const mirrorPath = (historyId: string) => `${generations}/${historyId}`;
export const ownerPath = (historyId: string) => `${historyOwners}/${historyId}`;
