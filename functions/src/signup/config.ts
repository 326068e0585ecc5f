import { intParam } from "../shared/params";

// Signup image cache settings (defaults in functions/.env).
export const signupImageCount = intParam("SIGNUP_IMAGE_COUNT", { default: 24, min: 1, description: "Images shown on the signup page" });
export const signupMinScore = intParam("SIGNUP_MIN_SCORE", {
  default: 7,
  min: 0,
  description: "Lowest aestheticScore shown on the signup page",
});
export const signupPerCreator = intParam("SIGNUP_PER_CREATOR", {
  default: 3,
  min: 1,
  description: "At most this many signup images per creator",
});
export const signupTtlHours = intParam("SIGNUP_TTL_HOURS", {
  default: 24,
  min: 1,
  description: "Age after which the signup images are refreshed on demand",
});

export interface SignupSettings {
  count: number;
  minScore: number;
  perCreator: number;
  ttlMs: number;
}

export function signupSettings(): SignupSettings {
  return {
    count: signupImageCount.value(),
    minScore: signupMinScore.value(),
    perCreator: signupPerCreator.value(),
    ttlMs: signupTtlHours.value() * 3600_000,
  };
}
