import { Timestamp } from "firebase-admin/firestore";
import { FieldValue as ClientFieldValue } from "firebase/firestore";
import { projectGeneration } from "../../src/mirror/projection";
import { publicItem } from "../../src/mirror/public";
import { sourceItemSchema } from "../../src/mirror/source";
import { invalidItems, maxItem, validItem, validVariants, type Data } from "../rules/item-fixtures";

// The server's schema of a generationHistory item agrees with firestore.rules: the cases the
// rules tests run against the emulator (test/rules/item-fixtures.ts) run through the schema
// here. An item a client may write is one the mirror accepts, and the other way round.

/** The item as stored: the client's serverTimestamp() becomes a server time. */
function asStored(value: unknown): unknown {
  if (value instanceof ClientFieldValue) return Timestamp.now();
  if (Array.isArray(value)) return value.map(asStored);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asStored(v)]));
  return value;
}

const parses = (data: Data) => sourceItemSchema.safeParse(asStored(data)).success;

/** Where the two differ on purpose, the schema is the more accepting one, so an item a client
 *  may write is always one the mirror accepts:
 *  - an unknown field: the rules refuse it from clients; the schema strips it, so a server-side
 *    writer's own bookkeeping never hides an item (and never reaches the mirror either);
 *  - a username's length: the emulator's rules count UTF-16 code units (an emoji is 2), zod
 *    counts characters; a name the rules accept is never longer in characters. */
const schemaAccepts = new Set(["an unknown field", "a username of 51 emoji (51 characters, 102 UTF-16 code units)"]);

describe("the source schema and firestore.rules agree", () => {
  it.each(validVariants.map((c) => [c.name, c.overrides] as const))("accepts %s", (_name, overrides) => {
    expect(parses(validItem("alice", overrides("alice")))).toBe(true);
  });

  it.each(invalidItems.filter((c) => c.kind === "shape" && !schemaAccepts.has(c.name)).map((c) => [c.name, c.overrides] as const))(
    "refuses %s",
    (_name, overrides) => {
      expect(parses(validItem("alice", overrides("alice")))).toBe(false);
    },
  );

  it("accepts the admins' fields", () => {
    expect(parses(validItem("alice", { aestheticScore: 8, aestheticScoreFor: "fingerprint" }))).toBe(true);
  });
});

describe("a public feed page stays well under 1 MB", () => {
  it("50 items of the largest kind the rules accept, as the feed serves them, are under 700,000 bytes of JSON", () => {
    const max = asStored(maxItem("alice")) as Data;
    const item = publicItem("h".repeat(20), projectGeneration(max, { uid: "alice", historyId: "h".repeat(20) }, Date.now() * 1000)!);
    const page = JSON.stringify({ items: Array.from({ length: 50 }, () => item), nextCursor: "c".repeat(200) });
    expect(Buffer.byteLength(page, "utf8")).toBeLessThan(700_000);
  });
});
