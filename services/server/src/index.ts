export * from './app.js';
export * from './auth/api-key-resolver.js';
export * from './config.js';
export type { AuthOptions } from './plugins/auth.js';
export * from './service.js';
