/** The fast lane (`npm run test:unit`): pure logic, no emulator, no Redis. Run it while
 *  editing; `npm test` runs these and everything else on the real emulators. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test/unit"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  setupFiles: ["<rootDir>/test/helpers/quiet-logs.ts"],
};
