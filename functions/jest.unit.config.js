/** The pure lane (`npm run test:unit`; `npm test` runs it beside typecheck and lint): logic,
 *  schemas and files, no emulator, no Redis. Run it while editing. */
const { testMatch } = require("./test/lanes");

module.exports = {
  testEnvironment: "node",
  rootDir: __dirname,
  testMatch: testMatch("pure"),
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  setupFiles: ["<rootDir>/test/helpers/quiet-logs.ts"],
  reporters: ["default", "<rootDir>/test/helpers/timing-reporter.js"],
};
