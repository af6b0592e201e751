/**
 * Browser-test setup: builds the web apps when dist/web is missing, starts the real server on a free port
 * with a fresh data directory (or a fresh PostgreSQL database when TEST_DATABASE_URL is set), waits for
 * /api/health and hands the base URL to the tests as process.env.E2E_BASE_URL (and inject('e2eBaseUrl')).
 * The teardown stops the server and removes the data directory / drops the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { createDatabase, repoRoot, startServer, tempDataDir } from './server.js';

export default async function setup(project: TestProject) {
  if (
    !fs.existsSync(path.join(repoRoot, 'dist/web/admin/index.html')) ||
    !fs.existsSync(path.join(repoRoot, 'dist/web/mobile/index.html')) ||
    !fs.existsSync(path.join(repoRoot, 'dist/web/screen/index.html'))
  ) {
    console.log('[e2e] dist/web missing: building the web apps (vite build) …');
    const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('vite build failed');
  }

  const dataDir = tempDataDir('e2e');
  const database = process.env.TEST_DATABASE_URL
    ? await createDatabase(process.env.TEST_DATABASE_URL, 'wenming_e2e')
    : undefined;
  let server;
  try {
    // the browser tests also check every answer against its route's response schema (a mismatch answers 500)
    server = await startServer({
      dataDir,
      databaseUrl: database?.url,
      // every test file signs in from 127.0.0.1, several files at once: more than the default 30 sign-ins a minute
      // per address (the limit itself is tested in server/modules/accounts/auth.test.ts)
      env: { WENMING_DEMO: '1', WENMING_RESPONSE_CHECK: 'strict', AUTH_RATE_LIMIT: '100000' },
      // seeding the demo county takes longer on a busy machine: E2E_START_TIMEOUT_MS=600000
      timeoutMs: Number(process.env.E2E_START_TIMEOUT_MS) || undefined,
    });
  } catch (e) {
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  console.log(
    `[e2e] server at ${server.baseUrl} (${database ? `PostgreSQL ${database.name}` : 'PGlite'}), ` +
      `ready in ${(server.startMs / 1000).toFixed(1)} s`,
  );
  process.env.E2E_BASE_URL = server.baseUrl;
  project.provide('e2eBaseUrl', server.baseUrl);

  return async () => {
    await server.stop();
    if (process.env.E2E_KEEP_LOG === '1') console.log(server.log());
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2eBaseUrl: string;
  }
}
