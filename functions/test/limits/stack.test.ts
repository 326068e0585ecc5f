/**
 * A limit through the whole stack (the Functions emulator's callable, its params from the
 * project's .env files, the stack's Redis): a flood of comments from one user is refused past
 * the limit the stack set, with a retry hint, and exactly the limit's comments are written.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { commentsPath } from "../../src/images/model";
import { mirrorPath } from "../../src/mirror/paths";
import { callCallable } from "../helpers/auth";
import { projectId } from "../helpers/emulators";
import { db, triggersOffDuringSuite } from "../helpers/firestore";
import { mirrorDoc } from "../helpers/fixtures";
import { person } from "../people/harness";
import { withinOneWindow } from "./window";

jest.setTimeout(120_000);

/** LIMIT_COMMENTS_PER_MINUTE as the emulator reads it (the stack's project file over functions/.env). */
function commentLimit(): number {
  const value = (file: string) =>
    readFileSync(join(__dirname, "..", "..", file), "utf8")
      .split("\n")
      .find((line) => line.startsWith("LIMIT_COMMENTS_PER_MINUTE="))
      ?.split("=")[1];
  return Number(value(`.env.${projectId}`) ?? value(".env"));
}

describe("the comment limit through the Functions emulator", () => {
  triggersOffDuringSuite();

  it("accepts exactly LIMIT_COMMENTS_PER_MINUTE comments a minute from one user, then answers resource-exhausted with a retry hint", async () => {
    const limit = commentLimit();
    expect(limit).toBeGreaterThan(0);
    await withinOneWindow(30_000);
    const run = Date.now().toString(36);
    const item = `stack-limit-${run}`;
    await db()
      .doc(mirrorPath(item))
      .set(mirrorDoc(`stack-owner-${run}`, undefined));
    const talker = await person(`stack-talker-${run}`);
    const answers: string[] = [];
    for (let i = 0; i <= limit; i++) {
      const { error } = await callCallable<unknown>("addComment", { historyId: item, text: `comment ${i}` }, talker.token);
      answers.push(error ? `${error.status} ${JSON.stringify(error.details)}` : "ok");
    }
    expect(answers.slice(0, limit)).toEqual(Array(limit).fill("ok"));
    expect(answers[limit]).toMatch(/^RESOURCE_EXHAUSTED \{"retryAfterSeconds":([1-9]|[1-5][0-9]|60)\}$/);
    expect((await db().collection(commentsPath(item)).where("uid", "==", talker.uid).get()).size).toBe(limit);
  });
});
