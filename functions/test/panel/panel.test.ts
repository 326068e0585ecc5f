import { Timestamp } from "firebase-admin/firestore";
import type { Browser, Page } from "playwright-core";
import { mirrorPath, mirrorQueue } from "../../src/mirror/paths";
import { demoPassword, demoUsers } from "../../tools/demo/data";
import { seedDemoData } from "../../tools/demo/seed";
import { db, suiteWithTriggers } from "../helpers/firestore";
import { layout } from "../helpers/emulators";
import { expectText, launchChromium, withScreenshot } from "../helpers/browser";
import { waitFor } from "../helpers/wait";

// The admin panel in a real browser (Debian's Chromium driven by playwright-core), served by
// the Hosting emulator from the build `npm test` makes, signed in through the Auth emulator.
describe("admin panel in a browser", () => {
  // Every assertion is about the demo data or counts taken before and after an action, so the
  // suite shares what earlier suites left.
  suiteWithTriggers();
  let browser: Browser;
  let page: Page;
  const admin = demoUsers.find((u) => u.admin)!;
  const user = demoUsers.find((u) => !u.admin)!;
  const item = { uid: "user-cy", historyId: "demo-cy-1" };

  beforeAll(async () => {
    await seedDemoData();
    await waitFor(async () => (await db().doc(mirrorPath(item.historyId)).get()).exists, {
      timeoutMs: 60_000,
      what: "the demo item's mirror",
    });
    const unsettled = () => db().collection(mirrorQueue).where("status", "in", ["pending", "processing", "failed"]).count().get();
    await waitFor(async () => (await unsettled()).data().count === 0, {
      timeoutMs: 60_000,
      what: "the demo data's mirror tasks to settle",
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(() => browser?.close());

  // Every page runs under the CSP the Hosting emulator serves (firebase.json's, opened only to
  // the local emulators): a script, style or request the policy blocks fails the test.
  let violations: string[] = [];
  beforeEach(async () => {
    violations = [];
    page = await (await browser.newContext()).newPage();
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
  });
  afterEach(async () => {
    await page.context().close();
    expect(violations).toEqual([]);
  });
  const shot = (name: string, body: () => Promise<void>) => withScreenshot(name, () => page, body);

  /** Presses Tab until the focused element reads `text` (as a keyboard user moves). */
  async function tabTo(text: string): Promise<void> {
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      if ((await page.locator(":focus").textContent()) === text) return;
    }
    throw new Error(`Tab never reached "${text}"`);
  }

  async function signIn(email: string): Promise<void> {
    await page.goto(layout.panelUrl);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(demoPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  it("is served with a CSP that refuses framing and foreign scripts, and no-cache on the page", async () => {
    const response = await fetch(layout.panelUrl);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/script-src 'self' https:\/\/apis\.google\.com(;|$)/);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-cache");
  });

  it(
    "shows a non-admin a clear page and calls no admin function",
    shot("shows a non-admin a clear page and calls no admin function", async () => {
      const calls: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes(layout.hosts.functions)) calls.push(r.url());
      });
      await signIn(user.email);
      await page.getByRole("heading", { name: "Not an admin" }).waitFor();
      expect(await page.getByRole("navigation", { name: "Panel pages" }).isVisible()).toBe(false);
      expect(await page.locator("table").count()).toBe(0);
      expect(calls).toEqual([]);
    }),
  );

  it(
    "signs in the demo admin, sets a score and shows the public reads returning it",
    shot("signs in the demo admin, sets a score and shows the public reads returning it", async () => {
      await signIn(admin.email);
      await page.getByRole("link", { name: "Scores" }).click();
      await page.getByLabel("Item id or prompt words").fill(item.historyId);
      await page.getByRole("button", { name: "Find" }).click();
      await page.getByRole("button", { name: `Set score of ${item.historyId}` }).click();

      // Inline validation from the server's own schema: out of range is refused, nothing saved.
      const before = (await db().doc(mirrorPath(item.historyId)).get()).get("aestheticScore") as number;
      await page.getByLabel(`Score for ${item.historyId}`).fill("42");
      await page.getByRole("button", { name: "Save score" }).click();
      await expectText(page.locator("#score-error"), /score/i);
      expect((await db().doc(mirrorPath(item.historyId)).get()).get("aestheticScore")).toBe(before);

      // Two saves in a row: the second is shown only if the panel's cached reads of the first
      // were invalidated (they are fresh for 30 s otherwise).
      for (const score of ["3.5", "9.25"]) {
        await page.getByLabel(`Score for ${item.historyId}`).fill(score);
        await page.getByRole("button", { name: "Save score" }).click();
        await expectText(page.getByRole("status"), /Saved\. Invalidation confirmed/);
        const landed = page.getByRole("table", { name: "What the public reads return now" });
        await expectText(landed.getByRole("row", { name: /publicGeneration/ }), new RegExp(`publicGeneration${score.replace(".", "\\.")}`));
        await expectText(landed.getByRole("row", { name: /publicFeed by score/ }), new RegExp(`${score.replace(".", "\\.")} \\(position`));
      }
      expect((await db().doc(mirrorPath(item.historyId)).get()).get("aestheticScore")).toBe(9.25);
    }),
  );

  it(
    "works from the keyboard alone: sign in, reach a page, run a dry run",
    shot("works from the keyboard alone", async () => {
      await page.goto(layout.panelUrl);
      await page.getByLabel("Email").waitFor();
      expect(await page.getByLabel("Email").evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true); // focus starts in the form
      await page.keyboard.type(admin.email);
      await page.keyboard.press("Tab");
      await page.keyboard.type(demoPassword);
      await page.keyboard.press("Enter");
      await page.getByRole("link", { name: "Jobs" }).waitFor();
      await tabTo("Jobs");
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Maintenance jobs" }).waitFor();
      await tabTo("Dry run");
      await page.keyboard.press("Enter");
      await expectText(page.getByRole("status"), /dry run finished/);
    }),
  );

  it(
    "retries a dead task and the queue counts change",
    shot("retries a dead task and the queue counts change", async () => {
      // processMirrorTask fires on it and leaves it: a dead task is never claimed.
      await db().collection(mirrorQueue).doc("panel-dead").set({
        op: "update",
        uid: item.uid,
        historyId: item.historyId,
        status: "dead",
        attempts: 5,
        lastError: "Error: the panel test broke it",
        createdAt: Timestamp.now(),
        updatedAt: Timestamp.now(),
        lastFailedAt: Timestamp.now(),
      });
      // (The trigger probe's private items leave dead tasks of their own: count from here.)
      const dead = async () => (await db().collection(mirrorQueue).where("status", "==", "dead").count().get()).data().count;
      const before = await dead();
      await signIn(admin.email);
      const counts = page.getByRole("table", { name: "Tasks by status" });
      await expectText(counts.locator("tbody td").nth(3), new RegExp(`^${before}$`));
      await page.getByText("Error: the panel test broke it").waitFor();
      await page.getByLabel("Select task panel-dead").check();
      await page.getByRole("button", { name: "Retry selected" }).click();
      await expectText(page.getByRole("status"), /Requeued 1 task/);
      await expectText(counts.locator("tbody td").nth(3), new RegExp(`^${before - 1}$`));
      await page.getByRole("heading", { name: `Dead tasks (${before - 1})` }).waitFor();
      expect((await db().collection(mirrorQueue).doc("panel-dead").get()).get("status")).toBe("done");
    }),
  );

  it(
    "runs a dry-run job and shows its record",
    shot("runs a dry-run job and shows its record", async () => {
      await signIn(admin.email);
      await page.getByRole("link", { name: "Jobs" }).click();
      expect(await page.getByRole("button", { name: "Run for real" }).isDisabled()).toBe(true);
      await page.getByLabel("Job").selectOption("refreshSignupImageCache");
      await page.getByRole("button", { name: "Dry run" }).click();
      await expectText(page.getByRole("status"), /Signup image cache: dry run finished, 0 error/);
      const runs = page.getByRole("table", { name: "Recent maintenance runs" });
      await expectText(runs.getByRole("row").nth(1), /refreshSignupImageCachedry runfinished/);
      expect(await page.getByRole("button", { name: "Run for real" }).isDisabled()).toBe(false);
      const stored = await db().collection("maintenanceRuns").where("job", "==", "refreshSignupImageCache").get();
      expect(stored.docs.some((d) => d.get("dryRun") === true && d.get("status") === "finished")).toBe(true);
    }),
  );

  it(
    "filters the runs by job, so a minutely job's records do not hide a daily job's",
    shot("filters the runs by job", async () => {
      const started = Date.now() + 60_000;
      const batch = db().batch();
      for (let i = 0; i < 25; i++) {
        const at = Timestamp.fromMillis(started + i * 1000);
        batch.set(db().collection("maintenanceRuns").doc(`minutely-${i}`), {
          job: "recoverArtRequests",
          status: "finished",
          dryRun: false,
          startedAt: at,
          finishedAt: at,
          counts: { recovered: 0 },
          errorCount: 0,
          errors: [],
        });
      }
      await batch.commit();
      await signIn(admin.email);
      await page.getByRole("link", { name: "Jobs" }).click();
      const runs = page.getByRole("table", { name: "Recent maintenance runs" });
      await expectText(runs.getByRole("row").nth(1), /recoverArtRequests/);
      expect(await runs.getByRole("row").filter({ hasText: "refreshSignupImageCache" }).count()).toBe(0);
      await page.getByLabel("Show the recent runs of").selectOption("refreshSignupImageCache");
      await expectText(runs.getByRole("row").nth(1), /refreshSignupImageCache/);
      expect(await runs.getByRole("row").filter({ hasText: "recoverArtRequests" }).count()).toBe(0);
      // Gone again: later suites wait for a real recoverArtRequests run started after they fire it.
      await Promise.all(Array.from({ length: 25 }, (_, i) => db().collection("maintenanceRuns").doc(`minutely-${i}`).delete()));
    }),
  );

  it(
    "shows a jam's recount and the invalidation map",
    shot("shows a jam's recount and the invalidation map", async () => {
      await signIn(admin.email);
      await page.getByRole("link", { name: "Votes" }).click();
      await page.getByLabel("Jam id").fill("no-such-jam");
      await page.getByRole("button", { name: "Show votes" }).click();
      await expectText(page.getByRole("alert"), /Not found: No such jam/);
      await page.getByRole("link", { name: "Cache" }).click();
      const map = page.getByRole("table", { name: /Invalidation map/ });
      await expectText(map.getByRole("row", { name: /mirrorChanged/ }), /feedPage, generation, userProfile/);
      await page.getByRole("table", { name: /Today's counters of every instance/ }).waitFor();
    }),
  );
});
