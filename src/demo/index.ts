/**
 * The demo shop and its resilience suite, for `faultline demo` (runDemo) and for tests:
 *
 *   const files = await writeShopFiles(dir, { mode: 'resilient', basePort: 17300, dataDir });
 *   for (const { file } of files.experiments) await run(file);   // e.g. `faultline run FILE`
 */
export { writeShopFiles, availableFeatures, type ShopFiles, type ShopFilesOptions } from './files.js';
export { shopSuite, type SuiteEntry, type SuiteNeed, type SuiteOptions, type SuiteSet, type Verdict } from './experiments/suite.js';
export { loadSuite, shopLoad } from './experiments/load-suite.js';
export { freeBasePort, spanFree } from './shop/free-ports.js';
export { shopSystem, shopUrl, shopCommand, proxyDriverAvailable, type ShopSystemOptions, type ShopRuntime } from './shop/system.js';
export { DEFAULT_BASE_PORT, PORT_SPAN, SHOP_MODES, SHOP_SERVICES, DEPENDENCIES, servicePort, proxyPort, type ShopMode, type ShopService } from './shop/topology.js';
export { runDemo, type DemoOptions } from './run/run-demo.js';
export type { DemoSummary, DemoExperiment, DemoSet } from './run/summary.js';
