// The catalog experiments against the fragile demo shop: each finds what the build lacks.
// Shard 2 of 3: the runner runs the shards in parallel (test/helpers/shard.ts).
import { describeCatalogRuns } from './runs.js';

describeCatalogRuns('fragile', undefined, { index: 2, count: 3 });
