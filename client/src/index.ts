export * from "./endpoints";
export * from "./query-keys";
export * from "./call";
export type { Callables, HttpEndpoints } from "../../functions/src/api";
