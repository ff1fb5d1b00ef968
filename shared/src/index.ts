// Browser-safe entry: schemas, types and the error type. No node built-ins, no clients.

export * from './alerts/index.js';
export * from './api/index.js';
export * from './contracts/index.js';
export * from './errors.js';
export * from './parse-input.js';
