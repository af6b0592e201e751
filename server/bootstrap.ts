import path from 'node:path';
import type { Config } from './config.js';
import { openDatabase, runMigrations, type Database } from './db/client.js';
import { Crypto } from './platform/crypto.js';
import { LocalFileStore } from './platform/files.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Deps } from './platform/context.js';
import { syncBuiltinRoles } from './modules/accounts/service.js';
import { version } from './version.js';

/** Opens the database, applies migrations and the built-in roles, and assembles what buildApp needs. */
export async function openPlatform(config: Config, opts: { clock?: Clock; database?: Database } = {}): Promise<Deps> {
  const database =
    opts.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.poolSize,
      sharedBuffers: config.pgliteSharedBuffers,
    }));
  await runMigrations(database);
  await syncBuiltinRoles(database.db);
  return {
    config,
    database,
    crypto: Crypto.load({ secretKey: config.secretKey, dataDir: config.dataDir }),
    clock: opts.clock ?? systemClock,
    files: new LocalFileStore(path.join(config.dataDir, 'files')),
    version,
  };
}
