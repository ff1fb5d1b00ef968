export * from './domain/fences.js';
export * from './domain/read-service.js';
export * from './openapi/catalogue.js';
export * from './openapi/docs-plugin.js';
export * from './openapi/document.js';
export * from './plugin.js';
export * from './search/search-service.js';
