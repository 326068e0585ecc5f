/**
 * The limits and caps as the deployed functions apply them (each export's own wrapper, run
 * in-process: `fn.run` for callables, the HTTP handler served over real HTTP), on the real
 * Firestore emulator and this lane's Redis through the Upstash bridge, with small limits set
 * through their params: a flood is refused with a retry hint and writes nothing; the calls
 * under a limit are counted exactly.
 */
import type { CallableRequest } from "firebase-functions/https";
import { Redis as IORedis } from "ioredis";
import * as feed from "../../src/feed";
import * as images from "../../src/images";
import * as people from "../../src/people";
import { createCanvasProject } from "../../src/canvas/ops";
import { canvasProjects } from "../../src/canvas/model";
import { upstashClient } from "../../src/cache/upstash";
import { newLeaseId, releaseLease, renewLease, takeLease } from "../../src/limits/leases";
import { takeRate } from "../../src/limits/rate";
import { clientAddress } from "../../src/limits/wrap";
import { commentsPath } from "../../src/images/model";
import { mirrorPath } from "../../src/mirror/paths";
import { notificationsPath, userPath } from "../../src/people/model";
import { setFollow } from "../../src/people/follow";
import { ensureUser } from "../../src/people/users";
import { cache } from "../../src/cache/instance";
import { db } from "../helpers/firestore";
import { mirrorDoc } from "../helpers/fixtures";
import { serveHandlers, type HandlerServer } from "../helpers/http-server";
import { withinOneWindow } from "./window";

const limits = {
  LIMIT_WRITES_PER_MINUTE: "4",
  LIMIT_COMMENTS_PER_MINUTE: "2",
  LIMIT_READS_PER_MINUTE: "5",
  LIMIT_REDIS_TIMEOUT_MS: "2000",
};
const run = Date.now().toString(36);
const uid = (name: string) => `lim-${name}-${run}`;

type Callable = { run(request: CallableRequest): Promise<unknown> };
const callables = { ...people, ...images } as unknown as Record<string, Callable>;
const fn = (name: string) => callables[name]!;
const as = (who: string, data: unknown) =>
  ({ data, auth: { uid: who, token: {} }, rawRequest: {}, acceptsStreaming: false }) as unknown as CallableRequest;
/** The call's answer, or the HttpsError's code and details. */
async function outcome(name: string, who: string, data: unknown) {
  try {
    await fn(name).run(as(who, data));
    return "ok";
  } catch (error) {
    const { code, details } = error as { code?: string; details?: { retryAfterSeconds?: number } };
    return details?.retryAfterSeconds !== undefined
      ? `${code} (retry in ${details.retryAfterSeconds > 0 && details.retryAfterSeconds <= 60 ? "1-60" : details.retryAfterSeconds} s)`
      : code;
  }
}

const freshWindow = () => withinOneWindow(20_000);

let saved: Record<string, string | undefined>;
beforeAll(() => {
  saved = Object.fromEntries(Object.keys(limits).map((k) => [k, process.env[k]]));
  Object.assign(process.env, limits);
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});

describe("per-user rate limits on write callables", () => {
  it("accepts exactly LIMIT_WRITES_PER_MINUTE writes a minute, then refuses with a retry hint and writes nothing", async () => {
    await freshWindow();
    const ann = uid("ann");
    const seen = [];
    for (let i = 1; i <= 6; i++) seen.push(await outcome("updateProfile", ann, { bio: `bio ${i}` }));
    expect(seen).toEqual(["ok", "ok", "ok", "ok", "resource-exhausted (retry in 1-60 s)", "resource-exhausted (retry in 1-60 s)"]);
    expect((await db().doc(userPath(ann)).get()).get("bio")).toBe("bio 4");
    expect(await outcome("updateProfile", uid("bob"), { bio: "another user" })).toBe("ok"); // per user
  });

  it("counts comments on their own limit too: exactly LIMIT_COMMENTS_PER_MINUTE are written", async () => {
    await freshWindow();
    const item = `lim-item-${run}`;
    await db()
      .doc(mirrorPath(item))
      .set(mirrorDoc(uid("owner"), undefined));
    const cat = uid("cat");
    const seen = [];
    for (let i = 1; i <= 4; i++) seen.push(await outcome("addComment", cat, { historyId: item, text: `comment ${i}` }));
    expect(seen).toEqual(["ok", "ok", "resource-exhausted (retry in 1-60 s)", "resource-exhausted (retry in 1-60 s)"]);
    expect((await db().collection(commentsPath(item)).where("uid", "==", cat).get()).size).toBe(2);
  });

  it("reads of one's own data count against their own, larger limit; a call without a user is refused by its handler as before", async () => {
    await freshWindow();
    const dee = uid("dee");
    for (let i = 0; i < 8; i++) expect(await outcome("me", dee, {})).toBe("ok");
    const anonymous = { data: { bio: "x" }, rawRequest: {}, acceptsStreaming: false } as unknown as CallableRequest;
    await expect(fn("updateProfile").run(anonymous)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});

describe("per-address rate limits on public reads", () => {
  let server: HandlerServer;
  let raw: IORedis;
  beforeAll(async () => {
    server = await serveHandlers({ publicGeneration: feed.publicGeneration as never });
    raw = new IORedis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    await server.close();
    raw.disconnect();
  });

  const read = (id: string, forwardedFor: string) =>
    fetch(`${server.url("publicGeneration")}?id=${id}`, { headers: { "x-forwarded-for": forwardedFor } });

  it("counts the address Google's front end appends, whatever the client wrote before it; over the limit: 429, Retry-After, nothing cached", async () => {
    await freshWindow();
    const ids = Array.from({ length: 7 }, (_, i) => `lim-read-${run}-${i}`);
    for (const id of ids)
      await db()
        .doc(mirrorPath(id))
        .set(mirrorDoc(uid("reader-owner"), undefined));
    const statuses = [];
    for (const [i, id] of ids.entries()) {
      const response = await read(id, `10.0.0.${i}, 203.0.113.${run.length}`); // a forged first hop, the real last one
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
      await response.text();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // The refused reads loaded nothing and cached nothing.
    for (const id of ids.slice(5)) expect(await raw.keys(`fresco:c:*${id}*`)).toEqual([]);
    expect(await raw.keys(`fresco:c:*${ids[0]}*`)).not.toEqual([]);
    expect((await read(ids[6]!, "10.0.0.1, 198.51.100.7")).status).toBe(200); // another address
  });

  it("takes the last X-Forwarded-For entry, else the socket's address", () => {
    const req = (xff: string | undefined) => ({ get: () => xff, socket: { remoteAddress: "127.0.0.1" } }) as never;
    expect(clientAddress(req("1.1.1.1, 2.2.2.2"))).toBe("2.2.2.2");
    expect(clientAddress(req(" 9.9.9.9 "))).toBe("9.9.9.9");
    expect(clientAddress(req(undefined))).toBe("127.0.0.1");
    expect(clientAddress(req(", ,"))).toBe("127.0.0.1");
    // An IPv6 client is its /64 (a subscriber holds all of it); an IPv4-mapped one its IPv4.
    expect(clientAddress(req("2001:db8:aa:bb:1:2:3:4"))).toBe("2001:db8:aa:bb::/64");
    expect(clientAddress(req("2001:db8:aa:bb::9"))).toBe(clientAddress(req("2001:0db8:00aa:00bb:ffff::1")));
    expect(clientAddress(req("2001:db8::1"))).toBe("2001:db8:0:0::/64");
    expect(clientAddress(req("::ffff:203.0.113.9"))).toBe("203.0.113.9");
  });

  it("fails open when Redis does not answer, and says so in the log", async () => {
    const down = { redis: upstashClient("http://127.0.0.1:9", "no-token"), timeoutMs: 200 };
    expect(await takeRate(down, "read", "anyone", 1)).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });
});

describe("caps", () => {
  it("streams: at most the cap of leases at once; a given-back or expired lease frees its slot", async () => {
    const eve = uid("eve");
    const now = Date.now();
    const take = (at: number) => takeLease(db(), eve, newLeaseId(db()), 2, 60_000, at);
    const a = await take(now);
    await take(now);
    await expect(take(now)).rejects.toMatchObject({ code: "resource-exhausted" });
    await releaseLease(db(), eve, a);
    await releaseLease(db(), eve, a); // twice: no change
    await take(now);
    await expect(take(now)).rejects.toMatchObject({ code: "resource-exhausted" });
    await take(now + 61_000); // both expired
  });

  it("streams: a renewed lease outlives its first expiry; an expired one is not renewed", async () => {
    const fox = uid("fox");
    const now = Date.now();
    const kept = newLeaseId(db());
    await takeLease(db(), fox, kept, 1, 60_000, now);
    expect(await renewLease(db(), fox, kept, 60_000, now + 50_000)).toBe(true); // now held until now + 110 s
    await expect(takeLease(db(), fox, newLeaseId(db()), 1, 60_000, now + 100_000)).rejects.toMatchObject({ code: "resource-exhausted" });
    const next = await takeLease(db(), fox, newLeaseId(db()), 1, 60_000, now + 111_000); // it expired: its slot is free
    expect(await renewLease(db(), fox, kept, 60_000, now + 112_000)).toBe(false); // dropped: no slot comes back
    expect(await renewLease(db(), fox, next, 60_000, now + 112_000)).toBe(true);
  });

  it("canvas projects: concurrent creations cannot pass the cap together", async () => {
    const fay = uid("fay");
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => createCanvasProject(db(), fay, "", Date.now(), undefined, 2)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toMatchObject({ code: "resource-exhausted" });
    expect((await db().collection(canvasProjects).where("ownerUid", "==", fay).get()).size).toBe(2);
  });

  it("follows: no more accounts than the cap; unfollowing frees a place", async () => {
    const gus = uid("gus");
    const deps = { db: db(), cache: cache(), maxFollowing: 2 };
    const targets = [uid("t1"), uid("t2"), uid("t3")];
    for (const t of targets) await ensureUser(deps, t);
    await setFollow(deps, gus, targets[0]!, true);
    await setFollow(deps, gus, targets[1]!, true);
    await expect(setFollow(deps, gus, targets[2]!, true)).rejects.toMatchObject({ code: "resource-exhausted" });
    expect((await db().doc(userPath(gus)).get()).get("followingCount")).toBe(2);
    await setFollow(deps, gus, targets[0]!, false);
    await setFollow(deps, gus, targets[2]!, true);
  });
});

describe("small refusals that answered INTERNAL or miscounted", () => {
  it("a username Firestore reserves as an id is invalid-argument, and nothing is written", async () => {
    await freshWindow();
    const hal = uid("hal");
    expect(await outcome("updateProfile", hal, { username: "__x__" })).toBe("invalid-argument");
    expect((await db().doc(userPath(hal)).get()).get("username")).toBeUndefined();
  });

  it("a targetUid longer than any Auth uid is invalid-argument", async () => {
    expect(await outcome("followUser", uid("ivy"), { targetUid: "u".repeat(129) })).toBe("invalid-argument");
  });

  it("markNotificationsRead with a repeated id lowers the unread count once", async () => {
    await freshWindow();
    const jon = uid("jon");
    await db().doc(userPath(jon)).set({ unreadNotifications: 2, credits: 0, followersCount: 0, followingCount: 0 });
    for (const id of ["n1", "n2"])
      await db()
        .doc(`${notificationsPath(jon)}/${id}`)
        .set({ type: "like", actorUid: "x", read: false, createdAt: new Date() });
    expect(await outcome("markNotificationsRead", jon, { ids: ["n1", "n1", "n1"] })).toBe("ok");
    expect((await db().doc(userPath(jon)).get()).get("unreadNotifications")).toBe(1);
  });
});
