import type { Callables, HttpEndpoints } from "../../functions/src/api";

/**
 * Every callable and HTTP endpoint of Fresco, by the name it is deployed under. The types
 * come from the functions themselves (functions/src/api.ts); this list is the runtime half,
 * and `satisfies` makes the compiler refuse a list that misses or invents one.
 */
export const callables = {
  updateAestheticScore: { access: "admin" },
  getMirrorQueueStats: { access: "admin" },
  retryDeadMirrorTasks: { access: "admin" },
  runMaintenanceJob: { access: "admin" },
  listMaintenanceRuns: { access: "admin" },
  findPublicItems: { access: "admin" },
  getCacheOverview: { access: "admin" },
  getVoteDebugInfo: { access: "admin" },
  createJam: { access: "user" },
  closeJam: { access: "user" },
  addEntry: { access: "user" },
  vote: { access: "user" },
  jamQueue: { access: "user" },
  createCanvasProject: { access: "user" },
  applyCanvasOps: { access: "user" },
  createCanvasMediaUpload: { access: "user" },
  loadCanvasProject: { access: "user" },
} as const satisfies { [N in keyof Callables]: { access: "admin" | "user" } };

export const httpEndpoints = {
  health: { method: "GET" },
  publicFeed: { method: "GET" },
  publicGeneration: { method: "GET" },
  signupImages: { method: "GET" },
} as const satisfies { [N in keyof HttpEndpoints]: { method: "GET" } };

export type CallableName = keyof Callables;
export type HttpName = keyof HttpEndpoints;
export type EndpointName = CallableName | HttpName;
export type RequestOf<N extends EndpointName> = N extends CallableName
  ? Callables[N]["request"]
  : N extends HttpName
    ? HttpEndpoints[N]["request"]
    : never;
export type ResponseOf<N extends EndpointName> = N extends CallableName
  ? Callables[N]["response"]
  : N extends HttpName
    ? HttpEndpoints[N]["response"]
    : never;

export const endpointNames = [...Object.keys(callables), ...Object.keys(httpEndpoints)] as EndpointName[];
