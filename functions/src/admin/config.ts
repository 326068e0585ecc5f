import { intParam } from "../shared/params";

/** The range an admin may set aestheticScore in (defaults in functions/.env, 0 to 10). */
export const scoreMin = intParam("AESTHETIC_SCORE_MIN", { default: 0, min: 0, description: "Lowest aestheticScore an admin may set" });
export const scoreMax = intParam("AESTHETIC_SCORE_MAX", { default: 10, min: 1, description: "Highest aestheticScore an admin may set" });
