import { stackLayout } from "../../tools/stack/layout";

/** Where the emulators of this test run are: the stack's one layout (FRESCO_PORT_OFFSET is
 *  passed down by tools/stack, which runs jest inside `firebase emulators:exec`). */
export const layout = stackLayout();
/** The lane's project: the functions lane uses the stack's (the Functions emulator's), the
 *  direct lane one of its own (GCLOUD_PROJECT, set by tools/stack/lanes.ts). */
export const projectId = process.env.GCLOUD_PROJECT ?? layout.project;
export const { region } = layout;
export const { firestore: firestoreHost, auth: authHost, hub: hubHost, functions: functionsHost } = layout.hosts;
export const functionUrl = layout.functionUrl;
