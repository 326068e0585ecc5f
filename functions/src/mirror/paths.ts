/** Collection names of the mirror pipeline, as in firestore.rules and the README. */
export const generationHistory = "generationHistory";
export const historyItems = "items";
export const generations = "generations";
export const mirrorQueue = "mirrorQueue";

export const sourcePath = (uid: string, historyId: string) => `${generationHistory}/${uid}/${historyItems}/${historyId}`;
export const mirrorPath = (historyId: string) => `${generations}/${historyId}`;
