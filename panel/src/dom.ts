// Small DOM helpers: the panel is plain TypeScript (five forms and tables need no framework).

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, string | boolean | ((event: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(name, "");
    else if (value !== false) el.setAttribute(name, value);
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  return el;
}

/** A table with a caption (read by screen readers) and one row per item. */
export function table(caption: string, head: string[], rows: Child[][]): HTMLTableElement {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
  );
}

const status = () => document.getElementById("status")!;
const alert = () => document.getElementById("alert")!;

/** News in the polite status region; an error in the alert region (each region keeps its
 *  role, which screen readers announce reliably). */
export function say(text: string, kind: "ok" | "error" | "" = ""): void {
  status().textContent = kind === "error" ? "" : text;
  status().className = kind;
  alert().textContent = kind === "error" ? text : "";
}

/** Runs a long action with its button disabled and the elapsed time shown. */
export async function busy<T>(button: HTMLButtonElement, doing: string, action: () => Promise<T>): Promise<T> {
  const started = Date.now();
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  say(`${doing}…`);
  // The action's own message (done, or an error) is never overwritten by the clock.
  const tick = () => status().textContent?.startsWith(`${doing}…`) && say(`${doing}… ${Math.round((Date.now() - started) / 1000)} s`);
  const timer = setInterval(tick, 1000);
  try {
    return await action();
  } finally {
    clearInterval(timer);
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export const age = (ms: number | null) =>
  ms === null ? "none pending" : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
