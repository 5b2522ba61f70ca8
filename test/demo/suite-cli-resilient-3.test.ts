// The resilient build holds every hypothesis of the suite (real CLI, real processes).
// Shard 3 of 3: the runner runs the shards in parallel (test/helpers/shard.ts).
import { describeSuiteRuns } from './cli-suite.js';

describeSuiteRuns('resilient', { index: 3, count: 3 });
