export * from './aggregate.js';
export * from './series.js';
export * from './state.js';
