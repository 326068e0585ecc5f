/**
 * Which lane runs each test suite, and in what order: the one place that says so. `npm test`
 * runs the pure lane beside typecheck and lint, then the direct and functions lanes at the same
 * time inside one `firebase emulators:exec` (tools/stack/lanes.ts). A test in test/lanes
 * (pure lane) fails if a suite is in no lane or in two.
 *
 * - pure: no emulator, no Redis (logic, schemas, files).
 * - direct: the real Firestore and Auth emulators, Redis and S3 stores of its own, handlers
 *   called in-process; on a project of its own (`demo-fresco-direct`) where no function
 *   listens, so it never switches the Functions emulator's triggers and its writes reach no
 *   trigger.
 * - functions: suites that call the Functions emulator (HTTP, callables, schedules, triggers).
 *   Trigger switches are the expensive part of this lane (each re-enable makes the emulator
 *   discover and load every function again and kills its warm workers): suites that need the
 *   triggers off (or clear Firestore, which needs them off) run first, then those that need
 *   them on, so a run switches them on about once per suite that must start from an empty
 *   Firestore.
 */
const pure = [
  "test/unit/",
  "test/credits/signature.test.ts",
  "test/rules/indexes.test.ts",
  "test/tools/local-token.test.ts",
  "test/tools/deploy-check.test.ts",
];

// Longest first: the lane ends soon after the functions lane.
const direct = [
  "test/mirror/convergence.test.ts",
  "test/cache/expiry.test.ts",
  "test/jams/concurrency.test.ts",
  "test/rules/generation-history.test.ts",
  "test/canvas/safety.test.ts",
  "test/canvas/consistency.test.ts",
  "test/canvas/paging.test.ts",
  "test/cache/outage.test.ts",
  "test/rules/closed.test.ts",
  "test/art/worker.test.ts",
  "test/mirror/queue.test.ts",
  "test/mirror/rebuild.test.ts",
  "test/canvas/rules.test.ts",
  "test/canvas/media/gc.test.ts",
  "test/cache/index.test.ts",
  "test/mirror/liveness.test.ts",
  "test/credits/spend.test.ts",
  "test/tools/upstash-bridge.test.ts",
  "test/tools/script-flags.test.ts",
  "test/tools/admin-grant.test.ts",
  "test/rules/people.test.ts",
  "test/cache/invalidation.test.ts",
  "test/canvas/media/wiring.test.ts",
  "test/cache/cache.test.ts",
  "test/cache/races.test.ts",
  "test/rules/art.test.ts",
  "test/rules/canvas.test.ts",
  "test/rules/jams.test.ts",
  "test/rules/mirror-collections.test.ts",
  "test/signup/select.test.ts",
  "test/limits/limits.test.ts",
  "test/limits/app-check.test.ts",
];

// Triggers off (or neutral): each of these may clear Firestore, which is free while they are off.
const functionsTriggersOff = [
  "test/people/matrix.test.ts",
  "test/images/callables.test.ts",
  "test/canvas/media/references.test.ts",
  "test/jams/callables.test.ts",
  "test/canvas/callable.test.ts",
  "test/admin/panel-callables.test.ts",
  "test/jams/listeners.test.ts",
  "test/canvas/entry-points.test.ts",
  "test/mirror/admin.test.ts",
  "test/maintenance/run-maintenance.test.ts",
  "test/feed/input.test.ts",
  "test/limits/stack.test.ts",
  // Seeds with the triggers off, then turns them on for the schedule: the hinge of the lane.
  "test/tools/scheduler.test.ts",
];

// Triggers on. The signup suite reads what any public write could change (its selection takes
// the best of the whole mirror), so it starts from an empty Firestore (a clear with the triggers
// off, then on again); the rest keep to their own ids, or count before and after, and share
// what earlier suites of the lane left.
const functionsTriggersOn = [
  // Writes the old platform with the triggers off (it predates Fresco), then turns them on.
  "test/adoption/old-platform.test.ts",
  "test/signup/signup.test.ts",
  "test/feed/feed.test.ts",
  "test/panel/panel.test.ts",
  "test/mirror/invalidation.test.ts",
  "test/mirror/on-source-written.test.ts",
  "test/mirror/trigger-path.test.ts",
  "test/art/callables.test.ts",
  "test/images/checklist.test.ts",
  "test/jams/backstop.test.ts",
  "test/canvas/schedule.test.ts",
  "test/canvas/editor-sdk.test.ts",
  "test/people/callables.test.ts",
  "test/people/reads.test.ts",
  "test/credits/webhook.test.ts",
  "test/health/health.test.ts",
];

const lanes = { pure, direct, functions: [...functionsTriggersOff, ...functionsTriggersOn] };

/** The lane's suites as jest `testMatch` globs (a folder entry takes every suite under it). */
const testMatch = (lane) => lanes[lane].map((entry) => `<rootDir>/${entry.endsWith("/") ? `${entry}**/*.test.ts` : entry}`);

/** The suite's position in its lane's order (unlisted: after every listed one). */
function rank(lane, path) {
  const normalized = path.replaceAll("\\", "/");
  const i = lanes[lane].findIndex((entry) => (entry.endsWith("/") ? normalized.includes(`/${entry}`) : normalized.endsWith(`/${entry}`)));
  return i === -1 ? lanes[lane].length : i;
}

/** The lane named by FRESCO_LANE (tools/stack/lanes.ts sets it for each jest it starts). */
function currentLane() {
  const lane = process.env.FRESCO_LANE;
  if (!lane || !(lane in lanes))
    throw new Error(`FRESCO_LANE must be one of ${Object.keys(lanes).join(", ")} (is "${lane ?? ""}"): run the suites with \`npm test\``);
  return lane;
}

module.exports = { lanes, testMatch, rank, currentLane };
