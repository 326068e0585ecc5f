/**
 * The deployed wiring: the scheduled outbox replay, asserted as data and run with a real
 * event against the test run's Redis (tools/stack's bridge, from the params).
 */
import { Timestamp } from "firebase-admin/firestore";
import type { ScheduledEvent } from "firebase-functions/scheduler";
import { replayCacheInvalidations } from "../../src/cache";
import { Cache } from "../../src/cache/cache";
import { cache } from "../../src/cache/instance";
import { redisKeys } from "../../src/cache/keys";
import { cacheInvalidations } from "../../src/cache/outbox";
import { clearFirestore, db } from "../helpers/firestore";
import { testRedis } from "../helpers/redis";

beforeEach(async () => {
  await clearFirestore();
});

describe("replayCacheInvalidations", () => {
  it("runs every minute with the Upstash token bound", () => {
    const endpoint = replayCacheInvalidations.__endpoint;
    expect(endpoint.scheduleTrigger).toMatchObject({ schedule: "* * * * *", timeZone: "Etc/UTC", retryConfig: { retryCount: 0 } });
    expect(endpoint.secretEnvironmentVariables).toEqual([expect.objectContaining({ key: "UPSTASH_REDIS_REST_TOKEN" })]);
  });

  it("bumps the outbox's tags and empties it", async () => {
    const tag = `user:replay-${Date.now()}`;
    await db()
      .collection(cacheInvalidations)
      .add({ tags: [tag, "signup:images"], createdAt: Timestamp.now(), attempts: 2, lastError: "down" });
    const signupBefore = await testRedis().get<number>(redisKeys.tagVersion("signup:images"));
    const startedMicros = Date.now() * 1000;

    await replayCacheInvalidations.run({ scheduleTime: new Date().toISOString() } as ScheduledEvent);

    expect((await db().collection(cacheInvalidations).get()).size).toBe(0);
    // The new tag's counter was created by the bump, at Redis's clock in microseconds, with a TTL.
    const created = Number(await testRedis().get(redisKeys.tagVersion(tag)));
    expect(created).toBeGreaterThanOrEqual(startedMicros - 1_000_000);
    expect(created).toBeLessThanOrEqual(Date.now() * 1000 + 1_000_000);
    expect(await testRedis().pttl(redisKeys.tagVersion(tag))).toBeGreaterThan(0);
    const signupAfter = Number(await testRedis().get(redisKeys.tagVersion("signup:images")));
    if (signupBefore === null) expect(signupAfter).toBeGreaterThanOrEqual(startedMicros - 1_000_000);
    else expect(signupAfter).toBe(Number(signupBefore) + 1);
  });
});

describe("cache()", () => {
  it("is one Cache per instance", () => {
    expect(cache()).toBeInstanceOf(Cache);
    expect(cache()).toBe(cache());
  });
});
