export * from './client.js';
export * from './errors.js';
export * from './insert-bodies.js';
export * from './json-each-row.js';
export * from './migrations.js';
export * from './tables/index.js';
export * from './time.js';
