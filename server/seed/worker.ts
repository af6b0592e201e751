/**
 * Seeds the demo county on its own thread: the seed allocates a lot, and a terminated worker gives all of it back,
 * so the server starts serving with the memory of a server, not of a seeding script.
 */
import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../config.js';
import { openPlatform } from '../bootstrap.js';
import { seedDemo } from './demo.js';

const config = loadConfig();
const deps = await openPlatform(config);
try {
  await seedDemo(deps, config.demoCounty, (s) => parentPort?.postMessage({ log: s }));
} finally {
  await deps.database.close();
}
parentPort?.postMessage({ done: true });
