// One fixed suite order for every run, the order test/lanes.js lists (jest's default orders by
// the durations it cached, so a clean clone and a warm checkout ran suites in different orders;
// in the functions lane the order decides how often the triggers switch).
const Sequencer = require("@jest/test-sequencer").default;
const { currentLane, rank } = require("./test/lanes");

class FrescoSequencer extends Sequencer {
  sort(tests) {
    const lane = currentLane();
    return [...tests].sort((a, b) => rank(lane, a.path) - rank(lane, b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

module.exports = FrescoSequencer;
