// The fragile build deviates from every hypothesis of the suite, and the failure spreads (real CLI, real processes).
// Shard 1 of 3: the runner runs the shards in parallel (test/helpers/shard.ts).
import { describeSuiteRuns } from './cli-suite.js';

describeSuiteRuns('fragile', { index: 1, count: 3 });
