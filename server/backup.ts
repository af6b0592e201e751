import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { auditCheckpointPath, type Config } from './config.js';
import { openDatabase, runMigrations } from './db/client.js';
import { version } from './version.js';

const CHECKPOINTS = 'audit-checkpoints.jsonl';
const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** The embedded database has one owner: refuse while a server runs on the same data directory. */
function assertStopped(config: Config) {
  const pidFile = path.join(config.dataDir, 'server.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  try {
    process.kill(pid, 0);
    throw new Error(`服务正在运行（进程 ${pid}），请先停止服务再备份或恢复嵌入式数据库`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function copyIfExists(from: string, to: string) {
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true });
}

/**
 * Writes a backup directory: the database (PGlite's data-directory dump, or pg_dump's SQL for PostgreSQL), the
 * uploaded files, the audit checkpoints and the data key (without it the encrypted ID numbers and phones cannot be
 * read back, nor the audit chain verified).
 */
export async function backup(config: Config, target?: string) {
  const dir = path.resolve(target ?? path.join('backups', `wenming-${stamp()}`));
  fs.mkdirSync(dir, { recursive: true });
  // the audit checkpoints first: taken before the database, they never record more than the backup holds
  copyIfExists(auditCheckpointPath(config), path.join(dir, CHECKPOINTS));
  let engine: 'pglite' | 'postgres';
  if (config.databaseUrl) {
    engine = 'postgres';
    const r = spawnSync(
      'pg_dump',
      ['--no-owner', '--no-privileges', '--format=plain', '--file', path.join(dir, 'database.sql'), config.databaseUrl],
      { stdio: 'inherit' },
    );
    if (r.error || r.status !== 0)
      throw new Error('pg_dump 执行失败：请确认已安装 PostgreSQL 客户端（postgresql-client），且版本不低于服务器');
  } else {
    engine = 'pglite';
    assertStopped(config);
    const db = await openDatabase({ dataDir: config.dataDir });
    try {
      fs.writeFileSync(path.join(dir, 'database.tar.gz'), await db.dump!());
    } finally {
      await db.close();
    }
  }
  copyIfExists(path.join(config.dataDir, 'files'), path.join(dir, 'files'));
  copyIfExists(path.join(config.dataDir, 'secret.key'), path.join(dir, 'secret.key'));
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ version, engine, createdAt: new Date().toISOString() }, null, 2),
  );
  return (
    `已备份到 ${dir}（${engine === 'pglite' ? '嵌入式数据库' : 'PostgreSQL'}、` +
    `上传文件${fs.existsSync(path.join(dir, 'secret.key')) ? '、数据密钥' : ''}）。请妥善保管：备份中的数据密钥可解密身份证号与手机号。`
  );
}

export async function restore(config: Config, source: string, force: boolean) {
  const dir = path.resolve(source);
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${dir} 不是备份目录（缺少 manifest.json）`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { engine: string; createdAt: string };
  fs.mkdirSync(config.dataDir, { recursive: true });
  const keyFile = path.join(config.dataDir, 'secret.key');
  const backupKey = path.join(dir, 'secret.key');
  if (
    fs.existsSync(keyFile) &&
    fs.existsSync(backupKey) &&
    fs.readFileSync(keyFile, 'utf8') !== fs.readFileSync(backupKey, 'utf8') &&
    !force
  ) {
    throw new Error('DATA_DIR 中已有不同的数据密钥；确认要用备份覆盖时加 --force');
  }
  if (config.databaseUrl) {
    if (manifest.engine !== 'postgres') throw new Error('这是嵌入式数据库的备份，请在未设置 DATABASE_URL 时恢复');
    const r = spawnSync(
      'psql',
      ['--quiet', '--set', 'ON_ERROR_STOP=1', '--file', path.join(dir, 'database.sql'), config.databaseUrl],
      { stdio: 'inherit' },
    );
    if (r.error || r.status !== 0) throw new Error('psql 执行失败：目标数据库应为空库，且已安装 PostgreSQL 客户端');
  } else {
    if (manifest.engine !== 'pglite') throw new Error('这是 PostgreSQL 的备份，请设置 DATABASE_URL 后恢复');
    assertStopped(config);
    const pgdata = path.join(config.dataDir, 'pgdata');
    if (fs.existsSync(pgdata)) {
      if (!force) throw new Error(`${pgdata} 已存在；确认要覆盖当前数据时加 --force`);
      fs.rmSync(pgdata, { recursive: true, force: true });
    }
    const db = await openDatabase({
      dataDir: config.dataDir,
      restoreFrom: new Uint8Array(fs.readFileSync(path.join(dir, 'database.tar.gz'))),
    });
    try {
      await runMigrations(db);
    } finally {
      await db.close();
    }
  }
  copyIfExists(path.join(dir, 'files'), path.join(config.dataDir, 'files'));
  if (fs.existsSync(backupKey)) fs.copyFileSync(backupKey, keyFile);
  const checkpoints = auditCheckpointPath(config);
  let note = '';
  if (fs.existsSync(checkpoints))
    note = `审计检查点文件 ${checkpoints} 已存在，未覆盖：audit-verify 会据此报告备份之后的审计事件已不在库中。`;
  else copyIfExists(path.join(dir, CHECKPOINTS), checkpoints);
  return `已从 ${dir} 恢复（备份时间 ${manifest.createdAt}）。${note}`;
}
