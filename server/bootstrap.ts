import path from 'node:path';
import { auditCheckpointPath, type Config } from './config.js';
import { openDatabase, runMigrations, type Database } from './db/client.js';
import { Crypto } from './platform/crypto.js';
import { rekeyLegacyChains, useAuditSigner } from './platform/audit.js';
import { JobRunner } from './platform/jobs.js';
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
  const crypto = Crypto.load({ secretKey: config.secretKey, dataDir: config.dataDir });
  useAuditSigner(crypto);
  for (const r of await rekeyLegacyChains(database.db, { checkpoints: [auditCheckpointPath(config)] })) {
    if (r.keyed) console.log(`审计链 ${r.chain}：${r.events} 条旧事件校验无误，已用审计密钥重新签名`);
    else
      console.error(
        `审计链 ${r.chain} 未能用审计密钥重新签名：${r.problems.map((p) => `#${p.seq} ${p.problem}`).join('；')}`,
      );
  }
  const clock = opts.clock ?? systemClock;
  return {
    config,
    database,
    crypto,
    clock,
    jobs: new JobRunner(database.db, clock),
    files: new LocalFileStore(path.join(config.dataDir, 'files')),
    version,
  };
}
