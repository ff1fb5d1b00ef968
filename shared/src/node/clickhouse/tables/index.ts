// One file per ClickHouse table: its row shape and its named queries, each taking the client.
export * from './alert-deliveries.js';
export * from './alert-events.js';
export * from './alert-rules.js';
export * from './api-keys.js';
export * from './dataset-entries.js';
export * from './metric-points.js';
export * from './projects.js';
export * from './span-metrics.js';
export * from './spans.js';
export * from './trace-index.js';
export * from './trace-summaries.js';
