import { scheduledJob } from "../../maintenance/schedule";
import { mediaGcJob } from "./gc";
import { mediaStoreFromParams } from "./store";

/** Daily canvas media garbage collection (see gc.ts). */
export const collectCanvasMedia = scheduledJob(mediaGcJob(mediaStoreFromParams()));
