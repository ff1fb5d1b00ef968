export * from './alerts.js';
export * from './datasets.js';
export * from './ingest-batch.js';
export type * from './inputs.js';
export * from './opper-metrics.js';
export * from './opper-reads.js';
export * from './opper-spans.js';
export * from './params.js';
export * from './search.js';
