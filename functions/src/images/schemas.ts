import { z } from "zod";
import { docId } from "../shared/ids";
import { plainText } from "../shared/zod";

export const itemInput = z.strictObject({ historyId: docId });
export const commentInput = z.strictObject({ historyId: docId, commentId: docId });

/** A comment as typed: trimmed, 1-2,000 characters, line breaks allowed, no other control
 *  characters (nor lone surrogates). */
export const addCommentInput = z.strictObject({
  historyId: docId,
  text: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    // eslint-disable-next-line no-control-regex -- the pattern exists to find control characters
    .regex(/^[^\p{Cs}\x00-\x09\x0b\x0c\x0e-\x1f\x7f]*$/u, "no control characters but line breaks"),
});

const name = plainText(100, 1);
const description = plainText(500);
export const createCollectionInput = z.strictObject({ name, description: description.optional() });
export const updateCollectionInput = z
  .strictObject({ collectionId: docId, name: name.optional(), description: description.optional() })
  .refine((v) => v.name !== undefined || v.description !== undefined, "give a name or a description to change");
export const collectionInput = z.strictObject({ collectionId: docId });
export const collectionItemInput = z.strictObject({ collectionId: docId, historyId: docId });

const limit = z.number().int().min(1).max(50).default(20);
const cursor = z.string().min(1).optional();
export const pageInput = z.strictObject({ limit, cursor });
export const collectionItemsInput = z.strictObject({ collectionId: docId, limit, cursor });
/** The same bounds as a source item's prompt and model (source.ts): nothing longer can match. */
export const mySetsInput = z.strictObject({
  prompt: z.string().min(1).max(3000).optional(),
  model: z.string().min(1).max(200).optional(),
  limit,
  cursor,
});
export const noInput = z.strictObject({});

export const imageDetailsQuery = z.strictObject({ id: docId, cursor: z.string().min(1).optional() });
