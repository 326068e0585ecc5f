import { defineString } from "firebase-functions/params";

/** Where every function runs: one region per project, a param so a project's .env file can
 *  move it (pick the region nearest the Upstash primary). The panel's build and the local
 *  tools read the same value from the same files (tools/deploy/region.ts). */
export const defaultRegion = "us-central1";
export const regionParam = defineString("FRESCO_REGION", {
  default: defaultRegion,
  description: "The one region of every function (the one nearest the Upstash primary)",
});
