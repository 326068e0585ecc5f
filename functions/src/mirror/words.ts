/** The words of a prompt as explore matches them: Unicode-normalized (NFKD), accents and
 *  other marks removed, lowercase, split on anything that is not a letter or a digit. The
 *  mirror stores them (`promptWords`) and explore's query uses the same function, so "Café"
 *  finds "cafe" and the other way round. Bounded, so an item's index entries stay few. */
export const maxPromptWords = 200;
const maxWordChars = 40;

export function promptWords(text: string): string[] {
  const words = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, maxWordChars));
  return [...new Set(words)].slice(0, maxPromptWords);
}
