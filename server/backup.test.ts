import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCheckpointPath, loadConfig } from './config.js';
import { openPlatform } from './bootstrap.js';
import { importRegions } from './modules/regions/service.js';
import { systemActor, verifyAudit, writeAuditCheckpoint } from './platform/audit.js';
import { backup, restore } from './backup.js';
import { openDatabase } from './db/client.js';

describe('backup and restore of the embedded database', () => {
  it(
    'restores regions, the audit chain and the data key into an empty data directory',
    { timeout: 300_000 }, // a fresh embedded database is ~30 s of it alone on a busy 2-core machine
    async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wm-backup-'));
      const config = {
        ...loadConfig({}),
        dataDir: path.join(root, 'a'),
        databaseUrl: undefined,
        logLevel: 'silent' as const,
      };
      const deps = await openPlatform(config);
      await importRegions(deps.database, '411523', { ...systemActor(), countyCode: '411523' });
      await writeAuditCheckpoint(deps.database.db, auditCheckpointPath(config), new Date());
      await deps.database.close();
      const out = await backup(config, path.join(root, 'bk'));
      expect(out).toContain('已备份');
      expect(fs.existsSync(path.join(root, 'bk', 'database.tar.gz'))).toBe(true);

      const target = { ...config, dataDir: path.join(root, 'b') };
      await restore(target, path.join(root, 'bk'), false);
      expect(fs.readFileSync(path.join(target.dataDir, 'secret.key'), 'utf8')).toBe(
        fs.readFileSync(path.join(config.dataDir, 'secret.key'), 'utf8'),
      );
      const db = await openDatabase({ dataDir: target.dataDir });
      try {
        expect((await db.query(`select count(*)::int as n from regions where level = 'village'`)).rows[0].n).toBe(206);
        // the chain verifies with the restored key, against the restored checkpoints
        expect(await verifyAudit(db.db, { checkpoints: [auditCheckpointPath(target)] })).toMatchObject({
          ok: true,
          checkpoints: [{ exists: true, valid: 1 }],
        });
      } finally {
        await db.close();
      }
      await expect(restore(target, path.join(root, 'bk'), false)).rejects.toThrow(/已存在/);
      fs.rmSync(root, { recursive: true, force: true });
    },
  );
});
