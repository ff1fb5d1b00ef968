export * from './common.js';
export * from './dead-letter.js';
export * from './limits.js';
export * from './metric-events.js';
export * from './span-events.js';
export * from './span-index.js';
export * from './timestamps.js';
export * from './topics.js';
