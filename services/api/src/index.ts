export * from './domain/fences.js';
export * from './domain/read-service.js';
export * from './plugin.js';
export * from './search/search-service.js';
