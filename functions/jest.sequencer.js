// One fixed suite order for every run (jest's default orders by the durations it cached, so a
// clean clone and a warm checkout ran suites in different orders).
//
// Suites that write thousands of documents on triggered paths run last: the Functions
// emulator takes an event for every such write even while triggers are off, and a suite that
// needs live triggers right after one of them waited minutes for that backlog (a CI run
// failed so: on-source-written after jams/concurrency, probe not seen within 120 s).
const Sequencer = require("@jest/test-sequencer").default;

// The mirror's model and rebuild suites write thousands of source items with triggers off:
// run there, they made the next suites with live triggers wait for the backlog (trigger-path
// waited ~60 s in its beforeAll), so they run at the end too.
const last = ["/test/mirror/convergence.test.ts", "/test/mirror/rebuild.test.ts", "/test/jams/concurrency.test.ts"];
const rank = (path) => {
  const i = last.findIndex((suffix) => path.replaceAll("\\", "/").endsWith(suffix));
  return i === -1 ? -1 : i;
};

class FrescoSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

module.exports = FrescoSequencer;
