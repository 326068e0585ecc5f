/** The cache tags a mirror change makes stale. The cache layer bumps them; they are
 *  declared here because the mirror is what changes. */
export function tagsForMirrorChange(change: { uid: string; historyId: string }): string[] {
  return [`generation:${change.historyId}`, "feed:public", `user:${change.uid}`];
}
