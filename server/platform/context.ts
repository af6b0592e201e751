import type { Database } from '../db/client.js';
import type { Config } from '../config.js';
import type { Crypto } from './crypto.js';
import type { Clock } from './clock.js';
import type { FileStore } from './files.js';
import type { JobRunner } from './jobs.js';

/** What every module gets from the platform: built once in main.ts (or a test) and passed to buildApp. */
export type Deps = {
  config: Config;
  database: Database;
  crypto: Crypto;
  clock: Clock;
  files: FileStore;
  /** The durable jobs of this process: modules define their kinds, main.ts starts it (tests drain it). */
  jobs: JobRunner;
  version: string;
};
