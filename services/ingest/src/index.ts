import './request-project.js';

export * from './domain/version-clock.js';
export * from './domain/write-service.js';
export * from './otlp/index.js';
export * from './routes/index.js';
export * from './service.js';
