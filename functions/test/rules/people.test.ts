import { assertFails, assertSucceeds } from "@firebase/rules-unit-testing";
import type { RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { documentId, increment, onSnapshot, serverTimestamp, Timestamp, type DocumentData } from "firebase/firestore";
import { waitFor } from "../helpers/wait";
import { rulesEnv } from "./rules-env";

// users/{uid}: its owner may get it (and listen to it), nobody lists users, and no client
// writes it, not even its owner (credits and counts are the server's). Its notifications and
// credit ledger: the owner reads and queries them, nobody writes. usernames, following,
// followers and creditEvents are closed (closed.test.ts).

const t = (seconds: number) => Timestamp.fromMillis(seconds * 1000);
const user = (uid: string) => ({
  username: uid,
  usernameKey: uid,
  displayName: uid.toUpperCase(),
  avatarUrl: `https://cdn.example/${uid}.png`,
  bio: "",
  credits: 10,
  followersCount: 1,
  followingCount: 0,
  unreadNotifications: 2,
  createdAt: t(1),
  updatedAt: t(1),
});
const notification = (n: number, read: boolean) => ({
  type: "follow",
  actorUid: "bob",
  targetId: `h${n}`,
  read,
  createdAt: t(n),
});
const ledgerEntry = (n: number) => ({ delta: 5, reason: "purchase", ref: `evt_${n}`, balanceAfter: 5 * n, at: t(n) });

const docs: Record<string, DocumentData> = {
  "users/alice": user("alice"),
  "users/bob": user("bob"),
  "users/alice/notifications/n1": notification(1, true),
  "users/alice/notifications/n2": notification(2, false),
  "users/alice/notifications/n3": notification(3, false),
  "users/alice/creditLedger/l1": ledgerEntry(1),
  "users/alice/creditLedger/l2": ledgerEntry(2),
};
const subcollections = ["notifications", "creditLedger"] as const;

describe("firestore.rules: users, their notifications and credit ledgers", () => {
  let env: RulesTestEnvironment;
  beforeAll(async () => {
    env = await rulesEnv("people");
  });
  afterAll(() => env.cleanup());
  beforeEach(async () => {
    await env.clearFirestore();
    await env.withSecurityRulesDisabled(async (ctx) => {
      for (const [path, data] of Object.entries(docs)) await ctx.firestore().doc(path).set(data);
    });
  });

  const alice = () => env.authenticatedContext("alice").firestore();
  const others = () => [env.authenticatedContext("mallory").firestore(), env.unauthenticatedContext().firestore()];

  describe("users/{uid}", () => {
    it("lets the owner get their own document", async () => {
      const snap = await assertSucceeds(alice().doc("users/alice").get());
      expect(snap.get("credits")).toBe(10);
      expect(snap.get("unreadNotifications")).toBe(2);
    });

    it("lets the owner listen to their own document (the unread count and credits live)", async () => {
      const seen: number[] = [];
      const stop = onSnapshot(alice().doc("users/alice"), (snap) => {
        seen.push(snap.get("unreadNotifications") as number);
      });
      try {
        await waitFor(async () => seen.length === 1 || undefined, { timeoutMs: 5000, what: "the first snapshot" });
        await env.withSecurityRulesDisabled((ctx) => ctx.firestore().doc("users/alice").update({ unreadNotifications: 3 }));
        await waitFor(async () => seen.includes(3) || undefined, { timeoutMs: 5000, what: "the new count" });
      } finally {
        stop();
      }
    });

    it("denies another signed-in user and a signed-out client", async () => {
      for (const db of others()) await assertFails(db.doc("users/alice").get());
      // an owner gets their own document only: not another user's, nor a missing one
      await assertFails(alice().doc("users/bob").get());
      await assertFails(alice().doc("users/nobody").get());
    });

    it("lets nobody list users, not even a query for one's own document", async () => {
      for (const db of [alice(), ...others()]) {
        await assertFails(db.collection("users").get());
        await assertFails(db.collection("users").where("usernameKey", "==", "alice").get());
      }
      await assertFails(alice().collection("users").where(documentId(), "==", "alice").get());
    });

    it("denies the owner every write: credits, counts, username, create and delete", async () => {
      const db = alice();
      await assertFails(db.doc("users/alice").update({ credits: 1000000 }));
      await assertFails(db.doc("users/alice").update({ credits: increment(1) }));
      await assertFails(db.doc("users/alice").update({ followersCount: 1000, unreadNotifications: 0 }));
      await assertFails(db.doc("users/alice").update({ username: "admin", usernameKey: "admin" }));
      await assertFails(db.doc("users/alice").update({ displayName: "Alice", bio: "hi", updatedAt: serverTimestamp() }));
      await assertFails(db.doc("users/alice").set({ ...user("alice"), credits: 1000000 }));
      await assertFails(db.doc("users/alice").set({ credits: 1000000 }, { merge: true }));
      await assertFails(db.doc("users/alice").delete());
      // creating one's own document before the server does
      const carol = env.authenticatedContext("carol").firestore();
      await assertFails(carol.doc("users/carol").set(user("carol")));
      await assertFails(carol.collection("users").add(user("carol")));
    });

    it("denies others every write", async () => {
      for (const db of others()) {
        await assertFails(db.doc("users/alice").update({ credits: 0 }));
        await assertFails(db.doc("users/alice").set(user("alice")));
        await assertFails(db.doc("users/alice").delete());
        await assertFails(db.doc("users/mallory").set(user("mallory")));
      }
    });
  });

  describe("users/{uid}/notifications", () => {
    const notifications = (db: ReturnType<typeof alice>) => db.collection("users/alice/notifications");

    it("lets the owner get them and query them newest first, or the unread ones", async () => {
      expect((await assertSucceeds(notifications(alice()).doc("n1").get())).get("read")).toBe(true);
      const newest = await assertSucceeds(notifications(alice()).orderBy("createdAt", "desc").limit(20).get());
      expect(newest.docs.map((d) => d.id)).toEqual(["n3", "n2", "n1"]);
      const paged = await assertSucceeds(
        notifications(alice()).orderBy("createdAt", "desc").orderBy(documentId(), "desc").startAfter(t(3), "n3").limit(1).get(),
      );
      expect(paged.docs.map((d) => d.id)).toEqual(["n2"]);
      const unread = await assertSucceeds(notifications(alice()).where("read", "==", false).limit(20).get());
      expect(unread.docs.map((d) => d.id).sort()).toEqual(["n2", "n3"]);
    });

    it("lets the owner listen to new notifications", async () => {
      const seen: string[][] = [];
      const stop = onSnapshot(notifications(alice()).orderBy("createdAt", "desc").limit(20), (snap) => {
        seen.push(snap.docs.map((d) => d.id));
      });
      try {
        await waitFor(async () => seen.length === 1 || undefined, { timeoutMs: 5000, what: "the first snapshot" });
        await env.withSecurityRulesDisabled((ctx) => ctx.firestore().doc("users/alice/notifications/n4").set(notification(4, false)));
        await waitFor(async () => seen.some((ids) => ids[0] === "n4") || undefined, { timeoutMs: 5000, what: "the new notification" });
      } finally {
        stop();
      }
    });
  });

  describe("users/{uid}/creditLedger", () => {
    it("lets the owner get their entries and query their history", async () => {
      const ledger = alice().collection("users/alice/creditLedger");
      expect((await assertSucceeds(ledger.doc("l2").get())).get("balanceAfter")).toBe(10);
      const history = await assertSucceeds(ledger.orderBy("at", "desc").limit(50).get());
      expect(history.docs.map((d) => d.id)).toEqual(["l2", "l1"]);
    });
  });

  describe.each(subcollections)("users/{uid}/%s", (sub) => {
    const first = sub === "notifications" ? "n1" : "l1";
    const data = docs[`users/alice/${sub}/${first}`]!;

    it("denies another signed-in user and a signed-out client", async () => {
      for (const db of others()) {
        await assertFails(db.doc(`users/alice/${sub}/${first}`).get());
        await assertFails(db.collection(`users/alice/${sub}`).get());
        await assertFails(db.collection(`users/alice/${sub}`).orderBy("createdAt", "desc").limit(20).get());
      }
      // the owner of another list is another user too
      await assertFails(env.authenticatedContext("bob").firestore().collection(`users/alice/${sub}`).get());
    });

    it("denies a collection-group query, even to a user who has some", async () => {
      for (const db of [alice(), ...others()]) await assertFails(db.collectionGroup(sub).get());
    });

    it("denies every client write, the owner's included", async () => {
      for (const db of [alice(), ...others()]) {
        const path = `users/alice/${sub}/${first}`;
        await assertFails(db.doc(path).update({ read: true }));
        await assertFails(db.doc(path).update({ delta: 1000000, balanceAfter: 1000000 }));
        await assertFails(db.doc(path).set({ ...data, touched: true }));
        await assertFails(db.doc(path).delete());
        await assertFails(db.doc(`users/alice/${sub}/new`).set(data));
        await assertFails(db.collection(`users/alice/${sub}`).add(data));
      }
    });
  });
});
