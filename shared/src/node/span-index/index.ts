export * from './fences.js';
export * from './span-index.js';
