// The catalog experiments against the fragile demo shop: each finds what the build lacks.
// Shard 1 of 3: the runner runs the shards in parallel (test/helpers/shard.ts).
import { describeCatalogRuns } from './runs.js';

describeCatalogRuns('fragile', undefined, { index: 1, count: 3 });
