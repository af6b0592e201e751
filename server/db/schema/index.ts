export * from './core.js';
export * from './volunteers.js';
