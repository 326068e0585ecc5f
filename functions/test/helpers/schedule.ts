import { fireSchedule as fire } from "../../tools/stack/fire-schedule";
import { layout } from "./emulators";

/** Runs a scheduled function now, as Cloud Scheduler would (see tools/stack/fire-schedule.ts). */
export const fireSchedule = (functionName: string) => fire(layout, functionName);
