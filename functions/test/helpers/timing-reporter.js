// A jest reporter that appends each suite's outcome and wall time to FRESCO_TIMINGS (one JSON
// line a suite), so tools/stack can print one table of every lane, slowest first.
const { appendFileSync } = require("node:fs");
const { relative } = require("node:path");

class TimingReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onTestResult(_test, result) {
    const file = process.env.FRESCO_TIMINGS;
    if (!file) return;
    const line = {
      lane: process.env.FRESCO_LANE ?? "pure",
      suite: relative(this.rootDir, result.testFilePath),
      ms: result.perfStats.end - result.perfStats.start,
      tests: result.numPassingTests + result.numFailingTests,
      failed: result.numFailingTests + (result.testExecError ? 1 : 0),
      // The suite's slowest tests, for the run's table of slowest tests.
      slowest: result.testResults.filter((t) => (t.duration ?? 0) >= 2000).map((t) => ({ name: t.fullName, ms: t.duration })),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = TimingReporter;
