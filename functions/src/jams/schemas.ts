import { z } from "zod";
import { docId } from "../shared/ids";
import { plainText } from "../shared/zod";

/** An https URL of RFC 3986 characters, as the rules check media URLs. */
const httpsUrl = z
  .string()
  .max(2048)
  .regex(/^https:\/\/[-A-Za-z0-9._~:/?#@!$&()*+,;=%]+$/, "an https URL")
  .refine((url) => {
    if (!URL.canParse(url)) return false;
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.hostname !== "" && parsed.username === "" && parsed.password === "";
  }, "an https URL with a host and no credentials");

export const createJamInput = z.strictObject({ title: plainText(200, 1) });
export const jamInput = z.strictObject({ jamId: docId });
export const addEntryInput = z.strictObject({ jamId: docId, title: plainText(200, 1), url: httpsUrl.optional() });
export const voteInput = z.strictObject({
  jamId: docId,
  entryId: docId,
  value: z.union([z.literal(1), z.literal(-1), z.literal(0)]),
});
export const debugInput = z.strictObject({ jamId: docId, limit: z.number().int().min(1).max(500).default(50) });

export type AddEntryInput = z.infer<typeof addEntryInput>;
export type VoteInput = z.infer<typeof voteInput>;
