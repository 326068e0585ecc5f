import { stackLayout } from "../../tools/stack/layout";

/** Where the emulators of this test run are: the stack's one layout (FRESCO_PORT_OFFSET is
 *  passed down by tools/stack, which runs jest inside `firebase emulators:exec`). */
export const layout = stackLayout();
export const { project: projectId } = layout;
export { region } from "../../tools/stack/layout";
export const { firestore: firestoreHost, auth: authHost, hub: hubHost, functions: functionsHost } = layout.hosts;
export const functionUrl = layout.functionUrl;
