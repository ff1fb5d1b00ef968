export * from './chdb-venv.js';
export * from './paths.js';
