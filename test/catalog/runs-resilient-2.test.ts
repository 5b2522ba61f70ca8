// Every catalog experiment holds against the resilient demo shop (real CLI, real processes).
// Shard 2 of 3: the runner runs the shards in parallel (test/helpers/shard.ts).
import { describeCatalogRuns } from './runs.js';

describeCatalogRuns('resilient', undefined, { index: 2, count: 3 });
