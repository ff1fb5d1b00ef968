export * from './client.js';
export * from './errors.js';
export * from './kept-running.js';
export * from './reused-buffers.js';
export * from './topics.js';
export * from './trace-records.js';
