// One file per ClickHouse table: its row shape and its named queries, each taking the client.
export * from './api-keys.js';
export * from './dataset-entries.js';
export * from './projects.js';
export * from './span-metrics.js';
export * from './spans.js';
export * from './traces.js';
