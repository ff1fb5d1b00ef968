import './request-project.js';

export * from './domain/read-service.js';
export * from './plugin.js';
export * from './read-side.js';
export * from './search/analytics-service.js';
export * from './search/search-service.js';
