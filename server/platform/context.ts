import type { Database } from '../db/client.js';
import type { Config } from '../config.js';
import type { Crypto } from './crypto.js';
import type { Clock } from './clock.js';
import type { FileStore } from './files.js';

/** What every module gets from the platform: built once in main.ts (or a test) and passed to buildApp. */
export type Deps = {
  config: Config;
  database: Database;
  crypto: Crypto;
  clock: Clock;
  files: FileStore;
  version: string;
};
