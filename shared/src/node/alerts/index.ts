export * from './notify.js';
