/** Where the emulators are; `firebase emulators:exec` sets these for the test run. */
export const projectId = process.env.GCLOUD_PROJECT ?? "demo-fresco";
export const region = "us-central1";

function hostOf(variable: string, fallback: string): string {
  return process.env[variable] ?? fallback;
}
export const firestoreHost = hostOf("FIRESTORE_EMULATOR_HOST", "127.0.0.1:8080");
export const authHost = hostOf("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099");
export const pubsubHost = hostOf("PUBSUB_EMULATOR_HOST", "127.0.0.1:8085");
export const hubHost = hostOf("FIREBASE_EMULATOR_HUB", "127.0.0.1:4400");
export const functionsHost = hostOf("FRESCO_FUNCTIONS_HOST", "127.0.0.1:5001");

export const functionUrl = (name: string) => `http://${functionsHost}/${projectId}/${region}/${name}`;
