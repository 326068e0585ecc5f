import { Cron } from "croner";
import { fireSchedule } from "./fire-schedule";
import type { StackLayout } from "./layout";

/** One scheduled function as its deployed definition declares it. */
export interface Schedule {
  name: string;
  /** unix-cron, as every Fresco schedule is written. */
  schedule: string;
  timeZone: string;
}

interface Endpoint {
  scheduleTrigger?: { schedule?: unknown; timeZone?: unknown };
}

/** Every scheduled function of a loaded functions module, read from its endpoints (the same
 *  data the deploy reads). A time zone that is a param is resolved from `params`. */
export function schedulesOf(functions: Record<string, unknown>, params: Record<string, string | undefined>): Schedule[] {
  return Object.entries(functions).flatMap(([name, fn]) => {
    const trigger = (fn as { __endpoint?: Endpoint } | null)?.__endpoint?.scheduleTrigger;
    if (!trigger || typeof trigger.schedule !== "string") return [];
    const zone = String(trigger.timeZone ?? "Etc/UTC");
    const param = /^params\.([A-Z0-9_]+)$/.exec(zone)?.[1];
    return [{ name, schedule: trigger.schedule, timeZone: param ? (params[param] ?? "Etc/UTC") : zone }];
  });
}

/**
 * Runs scheduled functions on their schedules against the Functions emulator, which has no
 * scheduler of its own: `npm start` behaves as production does (the sweeper retries failed
 * mirror tasks every minute, the jobs run when they are due). `tick(now)` fires every schedule
 * that came due since the previous tick, once, through the route Cloud Scheduler uses.
 */
export class LocalScheduler {
  private readonly next = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly layout: StackLayout,
    private readonly schedules: Schedule[],
    private readonly fire: (layout: StackLayout, name: string) => Promise<void> = fireSchedule,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** When each schedule runs next, after `now`. */
  nextRuns(now: number): Map<string, number> {
    for (const s of this.schedules) {
      if (!this.next.has(s.name)) this.next.set(s.name, nextRun(s, now));
    }
    return this.next;
  }

  /** Fires what is due at `now`; returns the names fired. A failed run is logged; the
   *  schedule goes on (as Cloud Scheduler's does). */
  async tick(now: number): Promise<string[]> {
    const due = this.schedules.filter((s) => this.nextRuns(now).get(s.name)! <= now);
    for (const s of due) this.next.set(s.name, nextRun(s, now));
    await Promise.all(
      due.map((s) => this.fire(this.layout, s.name).catch((error: unknown) => this.log(`scheduled ${s.name} failed: ${String(error)}`))),
    );
    return due.map((s) => s.name);
  }

  start(everyMs = 1_000): void {
    this.nextRuns(Date.now());
    this.timer = setInterval(() => void this.tick(Date.now()), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function nextRun(schedule: Schedule, after: number): number {
  const next = new Cron(schedule.schedule, { timezone: schedule.timeZone, paused: true }).nextRun(new Date(after));
  if (!next) throw new Error(`${schedule.name}: schedule "${schedule.schedule}" never runs`);
  return next.getTime();
}
