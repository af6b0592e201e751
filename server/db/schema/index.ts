export * from './core.js';
export * from './volunteers.js';
export * from './orders.js';
export * from './activities.js';
export * from './points.js';
export * from './jobs.js';
export * from './stats.js';
export * from './grids.js';
