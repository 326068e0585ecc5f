import { z } from "zod";

/** Firestore's limit on a document id, in UTF-8 bytes (not characters). */
export const maxDocumentIdBytes = 1500;

/** A Firestore document id: 1 to 1,500 UTF-8 bytes, valid UTF-8 (no lone surrogate), no "/",
 *  not "." or "..", not `__reserved__` (line breaks inside included: Firestore refuses
 *  "__a\nb__" too). The one rule for every id that comes from outside (callables, query
 *  strings, tasks, cursors). */
export function isDocumentId(value: string): boolean {
  return (
    value.length > 0 &&
    Buffer.byteLength(value, "utf8") <= maxDocumentIdBytes &&
    !/[\uD800-\uDFFF]/u.test(value) &&
    !value.includes("/") &&
    value !== "." &&
    value !== ".." &&
    !/^__.*__$/s.test(value)
  );
}

export const docId = z.string().refine(isDocumentId, "not a valid document id (1-1500 UTF-8 bytes, no '/', not '.', '..' or __name__)");
