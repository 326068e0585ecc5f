import { readFileSync } from "node:fs";
import { join } from "node:path";

// The emulator does not enforce composite indexes; production rejects a query without one.
// Each shape below is a query of the code (file noted) that needs a composite index, with the
// index's fields in order: equality fields first (an `in` counts as one), then the
// range/orderBy field. Queries on one field only (outbox.ts: createdAt <= + orderBy createdAt;
// retry-dead.ts and stats.ts counts: status ==; people/notifications.ts: a user's
// notifications orderBy createdAt, and read == false; reads.ts explore without words:
// generations orderBy createdAt; images: mySets unfiltered, likes, saves and comments orderBy
// a time, a user's commentLikes where historyId ==; art/next.ts the pool: artworks orderBy
// createdAt desc with cursors) use the automatic single-field indexes.
// __name__ is left out: Firestore appends it to every index in the direction of the last
// field, which serves the code's orderBy(createdAt desc, __name__ desc) tie-breaks.

type Order = "ASCENDING" | "DESCENDING";
interface Shape {
  collection: string;
  fields: Array<[string, Order | "CONTAINS"]>;
  usedBy: string;
}

const needed: Shape[] = [
  {
    collection: "maintenanceRuns",
    fields: [
      ["job", "ASCENDING"],
      ["startedAt", "DESCENDING"],
    ],
    usedBy: "runs.ts listRuns of one job",
  },
  {
    collection: "mirrorQueue",
    fields: [
      ["status", "ASCENDING"],
      ["createdAt", "ASCENDING"],
    ],
    usedBy: "claim.ts dueQueries pending; stats.ts oldest pending",
  },
  {
    collection: "mirrorQueue",
    fields: [
      ["status", "ASCENDING"],
      ["nextAttemptAt", "ASCENDING"],
    ],
    usedBy: "claim.ts dueQueries failed",
  },
  {
    collection: "mirrorQueue",
    fields: [
      ["status", "ASCENDING"],
      ["leaseExpiresAt", "ASCENDING"],
    ],
    usedBy: "claim.ts dueQueries processing",
  },
  {
    collection: "mirrorQueue",
    fields: [
      ["status", "ASCENDING"],
      ["lastFailedAt", "DESCENDING"],
    ],
    usedBy: "stats.ts recent failures (status in) and dead tasks (status ==)",
  },
  {
    collection: "generations",
    fields: [
      ["aestheticScore", "DESCENDING"],
      ["createdAt", "DESCENDING"],
    ],
    usedBy: "the public feed by score",
  },
  {
    collection: "generations",
    fields: [
      ["uid", "ASCENDING"],
      ["createdAt", "DESCENDING"],
    ],
    usedBy: "people/reads.ts userProfile (uid ==) and followingFeed (uid in), newest first",
  },
  {
    collection: "generations",
    fields: [
      ["promptWords", "CONTAINS"],
      ["createdAt", "DESCENDING"],
    ],
    usedBy: "people/reads.ts explore (promptWords array-contains), newest first",
  },
  // generationHistory/{uid}/items ("items" is also a collection's saves, which only order by `at`).
  ...(
    [
      [["prompt", "ASCENDING"]],
      [["model", "ASCENDING"]],
      [
        ["prompt", "ASCENDING"],
        ["model", "ASCENDING"],
      ],
    ] as Array<Array<[string, Order]>>
  ).map((equal) => ({
    collection: "items",
    fields: [...equal, ["createdAt", "DESCENDING"]] as Shape["fields"],
    usedBy: "images/sets.ts mySets filtered by prompt and/or model, newest first",
  })),
  {
    collection: "canvasMedia",
    fields: [
      ["referencedByCount", "ASCENDING"],
      ["createdAt", "ASCENDING"],
    ],
    usedBy: "media/gc.ts candidates",
  },
  {
    collection: "canvasMedia",
    fields: [
      ["ownerUid", "ASCENDING"],
      ["pendingUpload", "ASCENDING"],
    ],
    usedBy: "media/uploads.ts count of a user's pending uploads",
  },
  {
    collection: "artworks",
    fields: [
      ["sessionId", "ASCENDING"],
      ["createdAt", "DESCENDING"],
    ],
    usedBy: "art/next.ts a session's fresh artworks and art/watch.ts its listener, newest first",
  },
  {
    collection: "artRequests",
    fields: [
      ["status", "ASCENDING"],
      ["checkAt", "ASCENDING"],
    ],
    usedBy: "art/recovery.ts queued requests due for a check",
  },
];

interface IndexField {
  fieldPath: string;
  order?: Order;
  arrayConfig?: "CONTAINS";
}
interface Index {
  collectionGroup: string;
  queryScope: "COLLECTION" | "COLLECTION_GROUP";
  fields: IndexField[];
}
interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  ttl?: boolean;
  indexes: unknown[];
}

const spec = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "firestore.indexes.json"), "utf8")) as {
  indexes: Index[];
  fieldOverrides: FieldOverride[];
};

/** An index as "collection: field ORDER, ..." (__name__ is implied by Firestore). */
const describeIndex = (collection: string, fields: Array<[string, string]>) =>
  `${collection}: ${fields
    .filter(([path]) => path !== "__name__")
    .map(([path, order]) => `${path} ${order}`)
    .join(", ")}`;
const declared = spec.indexes
  .filter((i) => i.queryScope === "COLLECTION")
  .map((i) =>
    describeIndex(
      i.collectionGroup,
      i.fields.map((f) => [f.fieldPath, f.order ?? f.arrayConfig ?? "?"]),
    ),
  );

describe("firestore.indexes.json", () => {
  it("is in the format firebase-tools deploys", () => {
    expect(Array.isArray(spec.indexes)).toBe(true);
    expect(Array.isArray(spec.fieldOverrides)).toBe(true);
    for (const index of spec.indexes) {
      expect(Object.keys(index).sort()).toEqual(["collectionGroup", "fields", "queryScope"]);
      expect(["COLLECTION", "COLLECTION_GROUP"]).toContain(index.queryScope);
      expect(index.fields.length).toBeGreaterThanOrEqual(2);
      for (const field of index.fields) {
        expect(typeof field.fieldPath).toBe("string");
        // exactly one of order / arrayConfig
        expect([field.order, field.arrayConfig].filter((x) => x !== undefined)).toHaveLength(1);
      }
    }
  });

  it.each(needed.map((s) => [describeIndex(s.collection, s.fields), s.usedBy]))("has %s (%s)", (index) => {
    expect(declared).toContain(index);
  });

  it("declares no composite index that no query needs (each costs writes)", () => {
    expect([...declared].sort()).toEqual(needed.map((s) => describeIndex(s.collection, s.fields)).sort());
  });

  it("deletes expired art sessions through a TTL on expiresAt (reads treat them as gone before)", () => {
    const ttl = spec.fieldOverrides.find((o) => o.collectionGroup === "artSessions" && o.fieldPath === "expiresAt");
    expect(ttl).toEqual({ collectionGroup: "artSessions", fieldPath: "expiresAt", ttl: true, indexes: [] });
  });

  it("expires done mirrorQueue tasks through a TTL on expireAt", () => {
    const ttl = spec.fieldOverrides.find((o) => o.collectionGroup === "mirrorQueue" && o.fieldPath === "expireAt");
    expect(ttl).toEqual({ collectionGroup: "mirrorQueue", fieldPath: "expireAt", ttl: true, indexes: [] });
  });

  it("expires maintenance run records through a TTL on expireAt", () => {
    const ttl = spec.fieldOverrides.find((o) => o.collectionGroup === "maintenanceRuns" && o.fieldPath === "expireAt");
    expect(ttl).toEqual({ collectionGroup: "maintenanceRuns", fieldPath: "expireAt", ttl: true, indexes: [] });
  });

  it.each([
    ["artRequests", "an ended request, 30 days after it ended"],
    ["impressions", "an impression, 90 days after it was made"],
    ["voteLog", "a vote's log entry, 30 days after the vote"],
  ])("expires %s through a TTL on expireAt (%s)", (collectionGroup) => {
    const ttl = spec.fieldOverrides.find((o) => o.collectionGroup === collectionGroup && o.fieldPath === "expireAt");
    expect(ttl).toEqual({ collectionGroup, fieldPath: "expireAt", ttl: true, indexes: [] });
  });
});
