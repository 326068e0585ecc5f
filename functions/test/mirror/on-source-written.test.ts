import { onSourceWritten, taskForWrite } from "../../src/mirror/on-source-written";
import { mirrorQueue, sourcePath } from "../../src/mirror/paths";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { waitFor } from "../helpers/wait";

const item = { prompt: "a red fox", model: "sdxl", images: [], videos: [], isPublic: true, isDeleted: false };

// Ids of this run only: the suite shares the functions lane's Firestore with earlier suites.
const run = Date.now().toString(36);
const [h1, h2] = [`osw-${run}-1`, `osw-${run}-2`];

describe("onGenerationHistoryWritten", () => {
  suiteWithTriggers();

  it("fires in the Functions emulator on a real write and enqueues a mirror task", async () => {
    await db().doc(sourcePath("u1", h1)).set(item);
    const task = await waitFor(async () => (await db().collection(mirrorQueue).where("historyId", "==", h1).get()).docs[0]?.data(), {
      what: `the mirror task of ${h1}`,
    });
    expect(task).toMatchObject({ op: "upsert", uid: "u1", historyId: h1 });
  });

  it("enqueues once per event, however often the event is delivered", async () => {
    // The handler is called directly (no source write, so no trigger): as a redelivery would.
    const write = { eventId: `event-${run}`, uid: "u1", historyId: h2, before: undefined, after: item };
    const bumped: string[][] = [];
    const cache = { invalidate: async (tags: string[]) => void bumped.push(tags) as unknown as "bumped" };
    await Promise.all([onSourceWritten(db(), cache, write), onSourceWritten(db(), cache, write), onSourceWritten(db(), cache, write)]);
    const tasks = await db().collection(mirrorQueue).where("historyId", "==", h2).get();
    expect(tasks.docs.map((d) => d.id)).toEqual([`event-${run}`]);
    expect(bumped).toEqual([["sets:u1"], ["sets:u1"], ["sets:u1"]]); // the owner's sets, every delivery (harmless)
  });

  it("names the op and carries changed fields as hints", () => {
    const base = { eventId: "e", uid: "u", historyId: "h" };
    expect(taskForWrite({ ...base, before: undefined, after: item }).op).toBe("upsert");
    expect(taskForWrite({ ...base, before: item, after: undefined }).op).toBe("remove");
    const update = taskForWrite({ ...base, before: item, after: { ...item, aestheticScore: 7, isPublic: false } });
    expect(update).toEqual({ op: "update", uid: "u", historyId: "h", updates: { aestheticScore: 7, isPublic: false } });
  });
});
