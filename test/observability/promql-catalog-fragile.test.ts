// The PromQL catalog templates against the fragile demo shop and a real Prometheus (promql-catalog.ts).
import { describePromqlCatalog } from './promql-catalog.js';

describePromqlCatalog('fragile');
