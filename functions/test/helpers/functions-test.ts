import firebaseFunctionsTest from "firebase-functions-test";
import { projectId } from "./emulators";

/** firebase-functions-test in online mode against the emulators: `wrap(fn)` runs a v2
 *  trigger or callable handler in-process with a real event. Call `cleanup()` in afterAll. */
export const functionsTest = firebaseFunctionsTest({ projectId });
