// The fragile build deviates from every hypothesis of the suite, and the failure spreads (real CLI, real processes).
import { describeSuiteRuns } from './cli-suite.js';

describeSuiteRuns('fragile');
