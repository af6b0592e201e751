/**
 * Starts the real server as a child process on a free port, the way `npm start` runs it, for the browser tests
 * and the benchmarks: the compiled bundle dist/server/main.mjs (rebuilt first when older than server/, see
 * scripts/build-server.mjs) on the same Node as the caller, so its pid is the server itself. `source: true` (or
 * WENMING_SERVER_SOURCE=1) runs server/main.ts through tsx instead, as an import hook (tsx's CLI would add a
 * wrapper process).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pg from 'pg';

export const repoRoot = path.resolve(import.meta.dirname, '..');

export type RunningServer = {
  baseUrl: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Milliseconds from spawn until /api/health answered. */
  startMs: number;
  /** Everything the server printed (stdout and stderr). */
  log: () => string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
};

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(baseUrl: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null)
      throw new Error(`server exited with code ${child.exitCode} before answering /api/health`);
    try {
      const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer ${baseUrl}/api/health within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startServer(opts: {
  dataDir: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  execArgv?: string[];
  /** Run the TypeScript sources through tsx instead of the compiled bundle. */
  source?: boolean;
}): Promise<RunningServer> {
  const source = opts.source ?? process.env.WENMING_SERVER_SOURCE === '1';
  if (!source) ensureServerBuild();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    LOG_LEVEL: 'warn',
    ...opts.env,
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  let output = '';
  const started = performance.now();
  const entry = source ? ['--import', 'tsx', 'server/main.ts'] : ['dist/server/main.mjs'];
  const child = spawn(process.execPath, [...(opts.execArgv ?? []), ...entry], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForHealth(baseUrl, opts.timeoutMs ?? 180_000, child);
  } catch (e) {
    await stop('SIGKILL');
    throw new Error(`${(e as Error).message}\n--- server output ---\n${output}`, { cause: e });
  }
  return { baseUrl, port, pid: child.pid!, child, startMs: performance.now() - started, log: () => output, stop };
}

/** Builds dist/server when it is missing or older than the sources (what `npm start` does before starting). */
export function ensureServerBuild(): void {
  const r = spawnSync(process.execPath, ['scripts/build-server.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/build-server.mjs failed');
}

/** A fresh database on the PostgreSQL server of `adminUrl`; drop() removes it (after the server has stopped). */
export async function createDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function tempDataDir(prefix: string): string {
  const dir = path.join(repoRoot, '.tmp', `${prefix}-${crypto.randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
