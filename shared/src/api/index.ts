export * from './ingest-batch.js';
export * from './opper-metrics.js';
export * from './opper-spans.js';
