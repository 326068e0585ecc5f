import { cache } from "../cache/instance";
import { auth, db } from "../shared/firebase";
import type { AuthProfile, PeopleDeps } from "./users";

/** The user's Firebase Auth record (name and picture), or null when there is no such account. */
const authProfile = (uid: string): Promise<AuthProfile | null> =>
  auth()
    .getUser(uid)
    .then((u) => ({ displayName: u.displayName ?? null, photoURL: u.photoURL ?? null }))
    .catch((error: { code?: string }) => {
      if (error?.code === "auth/user-not-found") return null;
      throw error;
    });

/** The deployed functions' dependencies (the people and images callables). */
export const peopleDeps = (): PeopleDeps => ({ db: db(), cache: cache(), authProfile });
