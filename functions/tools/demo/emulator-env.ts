import { projectId } from "../stack/paths";

/** Points firebase-admin in this process at the local emulators (standard ports) unless
 *  the environment already does (as `firebase emulators:exec` does for tests). */
export function useEmulators(): void {
  process.env.GCLOUD_PROJECT ??= projectId;
  process.env.FIRESTORE_EMULATOR_HOST ??= "127.0.0.1:8080";
  process.env.FIREBASE_AUTH_EMULATOR_HOST ??= "127.0.0.1:9099";
  process.env.PUBSUB_EMULATOR_HOST ??= "127.0.0.1:8085";
}
