/** The catalog of standard experiments: `faultline experiments list`, `faultline run catalog:<name>`. */
export { CATALOG, catalogTemplate } from './registry.js';
export type { CatalogTemplate, TemplateParameter, ParameterType } from './types.js';
export { resolveCatalogExperiment, renderCatalogExperiment, isCatalogRef, CATALOG_PREFIX, type CatalogRequest, type RenderedCatalogExperiment } from './resolve.js';
