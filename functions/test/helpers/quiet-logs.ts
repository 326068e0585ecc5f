// Handlers log every step through firebase-functions/logger (console.debug/info under
// jest). Tests assert on data, not logs: keep warnings and errors, mute the rest unless
// FRESCO_TEST_LOGS=1 asks for everything.
if (process.env.FRESCO_TEST_LOGS !== "1") {
  console.debug = () => undefined;
  console.info = () => undefined;
  console.log = () => undefined;
}
