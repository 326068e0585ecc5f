import { cache } from "../cache/instance";
import { auth, db } from "../shared/firebase";
import type { PeopleDeps } from "./users";

const accountExists = (uid: string) =>
  auth()
    .getUser(uid)
    .then(() => true)
    .catch((error: { code?: string }) => {
      if (error?.code === "auth/user-not-found") return false;
      throw error;
    });

/** The deployed functions' dependencies (the people and images callables). */
export const peopleDeps = (): PeopleDeps => ({ db: db(), cache: cache(), accountExists });
