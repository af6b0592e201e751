/**
 * Seeds the demo county in a child process of the server: the seed allocates a lot, and an exited process gives
 * all of it back, so the server starts serving with the memory of a server, not of a seeding script.
 */
import { loadConfig } from '../config.js';
import { openPlatform } from '../bootstrap.js';
import { seedDemo } from './demo.js';

const config = loadConfig();
const deps = await openPlatform(config);
try {
  await seedDemo(deps, config.demoCounty, (s) => process.send?.({ log: s }));
} finally {
  await deps.database.close();
}
process.send?.({ done: true });
process.disconnect?.();
