// The catalog experiments against the fragile demo shop: each finds what the build lacks.
import { describeCatalogRuns } from './runs.js';

describeCatalogRuns('fragile');
