// Every catalog experiment holds against the resilient demo shop (real CLI, real processes).
import { describeCatalogRuns } from './runs.js';

describeCatalogRuns('resilient');
