// Node-only helpers: never imported by the dashboard or the SDK (they use the browser-safe root entry).
export * from './alerts/index.js';
export * from './bounded-map.js';
export * from './clickhouse/index.js';
export * from './config.js';
export * from './health.js';
export * from './health-server.js';
export * from './json-text-bytes.js';
export * from './kafka/index.js';
export * from './logger.js';
export * from './run-headless.js';
export * from './shutdown.js';
export * from './span-index/index.js';
export * from './telemetry.js';
