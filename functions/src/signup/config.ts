import { defineInt } from "firebase-functions/params";

// Signup image cache settings (defaults in functions/.env).
export const signupImageCount = defineInt("SIGNUP_IMAGE_COUNT", { default: 24, description: "Images shown on the signup page" });
export const signupMinScore = defineInt("SIGNUP_MIN_SCORE", { default: 7, description: "Lowest aestheticScore shown on the signup page" });
export const signupPerCreator = defineInt("SIGNUP_PER_CREATOR", { default: 3, description: "At most this many signup images per creator" });
export const signupTtlHours = defineInt("SIGNUP_TTL_HOURS", { default: 24, description: "Age after which the signup images are refreshed on demand" });

export interface SignupSettings { count: number; minScore: number; perCreator: number; ttlMs: number }

export function signupSettings(): SignupSettings {
  return {
    count: signupImageCount.value(),
    minScore: signupMinScore.value(),
    perCreator: signupPerCreator.value(),
    ttlMs: signupTtlHours.value() * 3600_000,
  };
}
