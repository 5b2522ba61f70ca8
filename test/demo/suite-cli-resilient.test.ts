// The resilient build holds every hypothesis of the suite (real CLI, real processes).
import { describeSuiteRuns } from './cli-suite.js';

describeSuiteRuns('resilient');
