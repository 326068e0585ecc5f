/** Jest runs inside `firebase emulators:exec` (see tools/stack.ts), so every test sees
 *  the real Firestore, Auth, Pub/Sub and Functions emulators and a real Redis. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  testTimeout: 60000,
  setupFiles: ["<rootDir>/test/helpers/quiet-logs.ts"],
  // Suites share one emulator project; running them one at a time keeps clears from racing.
  maxWorkers: 1,
  testSequencer: "<rootDir>/jest.sequencer.js",
};
