import { onAuthStateChanged, signInWithEmailAndPassword, signOut, type User } from "firebase/auth";
import { h, say } from "./dom";
import { auth, explain } from "./firebase";
import { cachePage, jobsPage, queuePage, scoresPage, votesPage, type Page } from "./pages";

const pages: Record<string, { title: string; page: Page }> = {
  queue: { title: "Queue", page: queuePage },
  scores: { title: "Scores", page: scoresPage },
  jobs: { title: "Jobs", page: jobsPage },
  votes: { title: "Votes", page: votesPage },
  cache: { title: "Cache", page: cachePage },
};

const main = document.getElementById("main")!;
const nav = document.getElementById("nav")!;
const session = document.getElementById("session")!;
let leave: (() => void) | void;

function show(content: (main: HTMLElement) => (() => void) | void): void {
  leave?.();
  main.replaceChildren();
  leave = content(main);
}

function route(): void {
  const name = Object.hasOwn(pages, location.hash.slice(1)) ? location.hash.slice(1) : "queue";
  for (const a of nav.querySelectorAll("a")) {
    if (a.dataset.page === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${pages[name]!.title} · Fresco admin`;
  say("");
  show(pages[name]!.page);
  // The new page's heading takes the focus, so keyboard and screen reader users land on it.
  const heading = main.querySelector("h2");
  heading?.setAttribute("tabindex", "-1");
  if (location.hash) heading?.focus();
}

function signInForm(main: HTMLElement): void {
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { "aria-labelledby": "signin-h" },
    h("h2", { id: "signin-h" }, "Sign in"),
    h("label", { for: "email" }, "Email"),
    email,
    h("label", { for: "password" }, "Password"),
    password,
    h("p", {}, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.disabled = true;
    say("Signing in…");
    signInWithEmailAndPassword(auth, email.value, password.value)
      .catch((error: unknown) => say(explain(error), "error"))
      .finally(() => (submit.disabled = false));
  });
  main.append(form);
  email.focus();
}

function notAdmin(user: User) {
  return (main: HTMLElement) => {
    main.append(
      h("h2", {}, "Not an admin"),
      h(
        "p",
        {},
        `You are signed in as ${user.email ?? user.uid}, which is not an admin account. This panel shows admin data only to admins.`,
      ),
    );
  };
}

onAuthStateChanged(auth, async (user) => {
  nav.hidden = true;
  nav.replaceChildren();
  session.replaceChildren();
  if (!user) return show(signInForm);
  const out = h("button", { type: "button" }, "Sign out");
  out.addEventListener("click", () => void signOut(auth));
  session.append(`Signed in as ${user.email ?? user.uid} `, out);
  let admin: boolean;
  try {
    admin = (await user.getIdTokenResult()).claims.admin === true;
  } catch (error) {
    return say(explain(error), "error");
  }
  if (auth.currentUser?.uid !== user.uid) return; // signed out or switched meanwhile
  if (!admin) return show(notAdmin(user));
  nav.append(...Object.entries(pages).map(([name, { title }]) => h("a", { href: `#${name}`, "data-page": name }, title)));
  nav.hidden = false;
  route();
});
window.addEventListener("hashchange", () => {
  if (!nav.hidden) route();
});
