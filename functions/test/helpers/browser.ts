import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { chromiumPath } from "../../tools/stack/paths";
import { layout } from "./emulators";
import { waitFor } from "./wait";

/** Headless Chromium with the flags this offline machine needs (no background networking,
 *  which only produces refused connections), and the hosting port allowed even where a
 *  port offset puts it on one Chromium blocks (6000). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`${chromiumPath} is missing: install Debian's chromium package (apt-get install chromium)`);
  const hostingPort = layout.hosts.hosting.split(":")[1];
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--explicitly-allowed-ports=${hostingPort}`,
    ],
  });
}

/** Waits until the locator's text matches (the page renders asynchronously); fails with the
 *  last text seen. */
export async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => {
      const text = (await locator.textContent({ timeout: 1000 }).catch(() => null)) ?? "";
      if (!pattern.test(text)) throw new Error(`text seen: "${text}"`); // waitFor reports the last one
      return true;
    },
    { timeoutMs, intervalMs: 100, what: `text matching ${pattern}` },
  );
}

/** A test body that leaves a screenshot in functions/test-results/ when it fails. */
export function withScreenshot(name: string, page: () => Page, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      const dir = join(__dirname, "..", "..", "test-results");
      mkdirSync(dir, { recursive: true });
      await page()
        .screenshot({ path: join(dir, `${name.replace(/[^\w.-]+/g, "_")}.png`), fullPage: true })
        .catch(() => undefined);
      throw error;
    }
  };
}
