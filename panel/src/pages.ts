import type { Callables } from "../../client/src";
import { age, busy, h, say, table } from "./dom";
import { HttpEndpointError } from "../../client/src";
import { explain, read, write } from "./firebase";

export type Page = (main: HTMLElement) => (() => void) | void;

/** Queue: counts, depth and oldest pending age, refreshed every 2 s while the tab is
 *  visible; dead tasks to retry. */
export const queuePage: Page = (main) => {
  const summary = h("section", { "aria-labelledby": "queue-h" });
  const dead = h("section", { "aria-labelledby": "dead-h" });
  main.append(h("h2", { id: "queue-h" }, "Mirror queue"), summary, dead);
  // What the dead-task list shows; null: render it on the next refresh.
  let shown: string | null = null;
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const stats = await read("getMirrorQueueStats", {}, { fresh: true });
      summary.replaceChildren(
        table(
          "Tasks by status",
          ["pending", "processing", "failed", "dead", "depth", "oldest pending"],
          [
            [
              stats.counts.pending,
              stats.counts.processing,
              stats.counts.failed,
              stats.counts.dead,
              stats.depth,
              age(stats.oldestPendingAgeMs),
            ],
          ],
        ),
      );
      const signature = `${stats.counts.dead}:${stats.deadTasks.map((f) => f.taskId).join()}`;
      if (signature === shown) return; // unchanged: keep the admin's ticks
      shown = signature;
      const rows = stats.deadTasks.map((f) => [
        h("input", { type: "checkbox", name: "task", value: f.taskId, id: `t-${f.taskId}`, "aria-label": `Select task ${f.taskId}` }),
        h("code", {}, f.taskId),
        h("code", {}, f.historyId),
        f.attempts,
        f.lastError,
      ]);
      const retry = async (button: HTMLButtonElement, taskIds?: string[]) => {
        try {
          const result = await busy(button, "Retrying", () => write("retryDeadMirrorTasks", taskIds ? { taskIds } : {}));
          say(`Requeued ${result.requeued.length} task(s), ${result.processed} processed now, ${result.skipped.length} skipped.`, "ok");
          shown = null;
          await refresh();
        } catch (error) {
          say(explain(error), "error");
        }
      };
      const selected = h("button", { type: "button" }, "Retry selected");
      selected.addEventListener("click", () => {
        const ticked = [...dead.querySelectorAll<HTMLInputElement>("input[name=task]:checked")].map((i) => i.value);
        if (ticked.length === 0) return say("Select at least one dead task first.", "error");
        void retry(selected, ticked);
      });
      const all = h("button", { type: "button" }, "Retry all dead tasks");
      all.addEventListener("click", () => void retry(all));
      dead.replaceChildren(
        h("h3", { id: "dead-h" }, `Dead tasks (${stats.counts.dead})`),
        stats.counts.dead > rows.length ? h("p", {}, `The newest ${rows.length} are listed; "Retry all" retries every one.`) : "",
        rows.length
          ? table("Dead tasks with their last error", ["", "task", "item", "attempts", "last error"], rows)
          : h("p", {}, "No dead tasks."),
        selected,
        " ",
        all,
      );
    } catch (error) {
      say(explain(error), "error");
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), 2000);
  return () => clearInterval(timer);
};

type FoundItem = Callables["findPublicItems"]["response"]["items"][number];

/** Scores: find an item, set its score, then see what the public reads now return. */
export const scoresPage: Page = (main) => {
  const results = h("div");
  const editor = h("section", { "aria-live": "polite" });
  const q = h("input", { id: "find-q", name: "q", required: true, autocomplete: "off" });
  const find = h("button", { type: "submit" }, "Find");
  const form = h("form", { role: "search" }, h("label", { for: "find-q" }, "Item id or prompt words"), q, " ", find);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(find, "Searching", async () => {
      try {
        const { items, scanned } = await read("findPublicItems", { q: q.value }, { fresh: true });
        say(`${items.length} item(s) found (searched ${scanned}).`, "ok");
        results.replaceChildren(
          table(
            "Public items",
            ["item", "prompt", "creator", "score", ""],
            items.map((item) => [
              h("code", {}, item.historyId),
              String(item.prompt ?? ""),
              item.uid,
              String(item.aestheticScore ?? "none"),
              chooseButton(item),
            ]),
          ),
        );
      } catch (error) {
        say(explain(error), "error");
      }
    });
  });
  const chooseButton = (item: FoundItem) => {
    const b = h("button", { type: "button" }, `Set score of ${item.historyId}`);
    b.addEventListener("click", () => showEditor(item));
    return b;
  };
  const showEditor = (item: FoundItem) => {
    const score = h("input", {
      id: "score",
      name: "score",
      type: "number",
      step: "any",
      required: true,
      "aria-describedby": "score-error",
    });
    score.value = item.aestheticScore === undefined ? "" : String(item.aestheticScore);
    const fieldError = h("span", { id: "score-error", class: "field-error" });
    const save = h("button", { type: "submit" }, "Save score");
    const landed = h("div", { id: "landed" });
    const scoreForm = h("form", {}, h("label", { for: "score" }, `Score for ${item.historyId}`), score, " ", save, fieldError);
    scoreForm.addEventListener("submit", (event) => {
      event.preventDefault();
      fieldError.textContent = "";
      const value = Number(score.value);
      if (score.value.trim() === "" || !Number.isFinite(value)) {
        fieldError.textContent = "Enter a number.";
        score.setAttribute("aria-invalid", "true");
        return score.focus();
      }
      void busy(save, "Saving the score", async () => {
        try {
          const result = await write("updateAestheticScore", { historyId: item.historyId, uid: item.uid, score: value });
          score.removeAttribute("aria-invalid");
          say(`Saved. Invalidation ${result.invalidation}.`, result.invalidation === "confirmed" ? "ok" : "error");
          await showLanded(landed, item.historyId);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === "functions/invalid-argument") {
            fieldError.textContent = explain(error);
            score.setAttribute("aria-invalid", "true");
            score.focus();
            say("The score was not saved.", "error");
          } else say(explain(error), "error");
        }
      });
    });
    editor.replaceChildren(h("h3", {}, "Set the score"), scoreForm, landed);
    score.focus();
  };
  main.append(h("h2", {}, "Scores"), form, results, editor);
};

/** What the public reads return now: the admin sees the change land. */
async function showLanded(into: HTMLElement, historyId: string): Promise<void> {
  const [one, feed] = await Promise.all([
    // 404 is the answer "not public"; any other failure is shown as what it is.
    read("publicGeneration", { id: historyId }).catch((error: unknown) => {
      if (error instanceof HttpEndpointError && error.status === 404) return null;
      throw error;
    }),
    read("publicFeed", { sort: "score", limit: 50 }),
  ]);
  const position = feed.items.findIndex((i) => i.historyId === historyId);
  const inFeed = feed.items[position];
  into.replaceChildren(
    table(
      "What the public reads return now",
      ["read", "score"],
      [
        ["publicGeneration", one ? String(one.item.aestheticScore ?? "none") : "not public"],
        ["publicFeed by score", inFeed ? `${String(inFeed.aestheticScore)} (position ${position + 1})` : "not in the first 50"],
      ],
    ),
  );
}

const jobLabels: Record<Callables["runMaintenanceJob"]["request"]["job"], string> = {
  snapshotCanvasProjects: "Canvas snapshots",
  collectCanvasMedia: "Canvas media garbage collection",
  refreshSignupImageCache: "Signup image cache",
  recoverArtRequests: "Art requests whose worker died",
};

/** Jobs: a dry run first, then the real run; the recent maintenanceRuns records. */
export const jobsPage: Page = (main) => {
  const select = h(
    "select",
    { id: "job", name: "job" },
    ...Object.entries(jobLabels).map(([value, label]) => h("option", { value }, label)),
  );
  const limit = h("input", { id: "job-limit", name: "limit", type: "number", min: "1", max: "1000", placeholder: "the job's batch" });
  const dry = h("button", { type: "button" }, "Dry run");
  const real = h("button", { type: "button", disabled: true }, "Run for real");
  const outcome = h("div", { "aria-live": "polite" });
  const runs = h("section");
  // recoverArtRequests records a run every minute: without a filter a daily job's failure
  // scrolls out of the 20 newest runs within 20 minutes.
  const shown = h(
    "select",
    { id: "runs-job", name: "runsJob" },
    h("option", { value: "" }, "All jobs"),
    ...Object.entries(jobLabels).map(([value, label]) => h("option", { value }, label)),
  );
  shown.addEventListener("change", () => void showRuns().catch((error: unknown) => say(explain(error), "error")));
  const dryRunDone = new Set<string>();
  const job = () => select.value as keyof typeof jobLabels;
  select.addEventListener("change", () => (real.disabled = !dryRunDone.has(job())));
  const run = (button: HTMLButtonElement, dryRun: boolean) =>
    void busy(button, dryRun ? "Dry run" : "Running", async () => {
      try {
        const n = limit.value ? Number(limit.value) : undefined;
        const summary = await write("runMaintenanceJob", { job: job(), dryRun, ...(n === undefined ? {} : { limit: n }) });
        if (dryRun) dryRunDone.add(summary.job);
        real.disabled = !dryRunDone.has(job());
        say(
          `${jobLabels[job()]}: ${dryRun ? "dry run" : "run"} finished, ${summary.errors.length} error(s).`,
          summary.errors.length ? "error" : "ok",
        );
        outcome.replaceChildren(
          table(`Run ${summary.runId}`, ["count", "value"], Object.entries(summary.counts)),
          ...(summary.planned?.length ? [h("p", {}, `Would do: ${summary.planned.slice(0, 20).join(", ")}`)] : []),
        );
        await showRuns();
      } catch (error) {
        say(explain(error), "error");
      }
    });
  dry.addEventListener("click", () => run(dry, true));
  real.addEventListener("click", () => run(real, false));
  const showRuns = async () => {
    const filter = shown.value ? { job: shown.value as keyof typeof jobLabels } : {};
    const { runs: list } = await read("listMaintenanceRuns", { limit: 20, ...filter });
    runs.replaceChildren(
      table(
        "Recent maintenance runs",
        ["started", "job", "kind", "status", "counts", "errors"],
        list.map((r) => [
          r.startedAt,
          r.job,
          r.dryRun ? "dry run" : "run",
          r.status,
          Object.entries(r.counts)
            .map(([k, v]) => `${k}: ${v}`)
            .join(", "),
          r.errorCount,
        ]),
      ),
    );
  };
  main.append(
    h("h2", {}, "Maintenance jobs"),
    h("p", {}, "Run a dry run first: it reports what the job would do and writes nothing but its record. Then the real run is enabled."),
    h("label", { for: "job" }, "Job"),
    select,
    h("label", { for: "job-limit" }, "At most this many items (optional)"),
    limit,
    h("p", {}, dry, " ", real),
    outcome,
    h("label", { for: "runs-job" }, "Show the recent runs of"),
    shown,
    runs,
  );
  void showRuns().catch((error: unknown) => say(explain(error), "error"));
};

/** Votes: a jam's stored counts next to a recount of its votes. */
export const votesPage: Page = (main) => {
  const jamId = h("input", { id: "jam-id", name: "jamId", required: true, autocomplete: "off" });
  const show = h("button", { type: "submit" }, "Show votes");
  const out = h("div");
  const form = h("form", {}, h("label", { for: "jam-id" }, "Jam id"), jamId, " ", show);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(show, "Recounting", async () => {
      try {
        const info = await read("getVoteDebugInfo", { jamId: jamId.value, limit: 50 }, { fresh: true });
        const c = (x: { upvotes: number; downvotes: number; score: number }) => `+${x.upvotes} −${x.downvotes} = ${x.score}`;
        out.replaceChildren(
          h("p", {}, `Jam ${info.jamId} is ${info.status}.`),
          table(
            "Stored counts and a recount of the votes",
            ["entry", "stored", "tally", "recount", "agree"],
            info.entries.map((e) => [e.entryId, c(e.stored), c(e.tally), c(e.recount), e.agree ? "yes" : "NO"]),
          ),
          table(
            "Newest votes",
            ["at", "user", "entry", "from", "to"],
            info.recentVotes.map((v) => [v.at, v.uid, v.entryId, v.from, v.to]),
          ),
        );
        say(
          `${info.entries.filter((e) => !e.agree).length} entries disagree with the recount.`,
          info.entries.every((e) => e.agree) ? "ok" : "error",
        );
      } catch (error) {
        say(explain(error), "error");
      }
    });
  });
  main.append(h("h2", {}, "Votes"), form, out);
};

/** Cache: the invalidation map (write -> reads it makes stale) and the cache counters. */
export const cachePage: Page = (main) => {
  main.append(h("h2", {}, "Cache"));
  void read("getCacheOverview", {}, { fresh: true })
    .then((overview) =>
      main.append(
        table(
          "Invalidation map: each write and the reads it makes stale",
          ["write", "reads made stale", "what it is"],
          overview.writes.map((w) => [w.write, w.reads.join(", "), w.doc]),
        ),
        table(
          "Cached reads",
          ["read", "TTL (s)", "what it is"],
          overview.reads.map((r) => [r.name, r.ttlSeconds, r.doc]),
        ),
        overview.shared
          ? table(
              `Today's counters of every instance (${overview.shared.day} UTC; each instance adds its counts every 1,000 reads or minute)`,
              ["counter", "value"],
              Object.entries(overview.shared.counters),
            )
          : h("p", { class: "error" }, "Redis did not answer: the shared counters are not available."),
        table("Counters of the instance that answered, since it started", ["counter", "value"], Object.entries(overview.instance)),
      ),
    )
    .catch((error: unknown) => say(explain(error), "error"));
};
