export * from "./endpoints";
export * from "./query-keys";
export * from "./call";
export * from "./query-cache";
export type { Callables, HttpEndpoints } from "../../functions/src/api";
