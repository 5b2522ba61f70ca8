// The fragile build deviates from every hypothesis of the suite, and the failure spreads (real CLI, real processes).
// Shard 3 of 3: the runner runs the shards in parallel (test/helpers/shard.ts).
import { describeSuiteRuns } from './cli-suite.js';

describeSuiteRuns('fragile', { index: 3, count: 3 });
