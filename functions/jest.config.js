/** Jest for one lane of `npm test` (FRESCO_LANE, set by tools/stack/lanes.ts, which runs the
 *  direct and functions lanes side by side inside `firebase emulators:exec`; test/lanes.js
 *  says which suite runs in which lane and in what order). */
const { currentLane, testMatch } = require("./test/lanes");

const lane = currentLane();
module.exports = {
  testEnvironment: "node",
  rootDir: __dirname,
  testMatch: testMatch(lane),
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 60000,
  setupFiles: ["<rootDir>/test/helpers/quiet-logs.ts"],
  // A lane's suites share its emulator project (and, in the functions lane, the trigger switch):
  // one at a time keeps clears from racing.
  maxWorkers: 1,
  testSequencer: "<rootDir>/jest.sequencer.js",
  reporters: ["default", "<rootDir>/test/helpers/timing-reporter.js"],
};
