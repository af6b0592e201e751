import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { openPlatform } from '../bootstrap.js';
import { seedDemo } from '../seed/demo.js';
import { TestClock } from '../platform/clock.js';
import { TEST_SECRET, TEST_NOW } from './constants.js';

/**
 * Builds one database with the demo county (PGlite data directory, or a PostgreSQL template database when
 * TEST_DATABASE_URL is set); every test file then starts from a copy of it.
 */
export default async function setup(project: TestProject) {
  const id = crypto.randomBytes(4).toString('hex');
  const dataDir = path.resolve('.tmp', `test-template-${id}`);
  const url = process.env.TEST_DATABASE_URL;
  let templateDb: string | undefined;
  let adminUrl: string | undefined;
  let databaseUrl: string | undefined;
  if (url) {
    adminUrl = url;
    templateDb = `wenming_tpl_${id}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${templateDb}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${templateDb}`;
    databaseUrl = u.toString();
  }
  const config = {
    ...loadConfig({}),
    dataDir,
    databaseUrl,
    secretKey: TEST_SECRET,
    demo: true,
    logLevel: 'silent' as const,
  };
  const database = await openDatabase({ databaseUrl, dataDir });
  const deps = await openPlatform(config, { database, clock: new TestClock(new Date(TEST_NOW)) });
  await seedDemo(deps);
  await database.close();
  project.provide('testTemplate', {
    dataDir: path.join(dataDir, 'pgdata'),
    filesDir: path.join(dataDir, 'files'),
    templateDb: templateDb ?? null,
    adminUrl: adminUrl ?? null,
  });
  return async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (adminUrl && templateDb) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${templateDb}`);
      await admin.end();
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    testTemplate: { dataDir: string; filesDir: string; templateDb: string | null; adminUrl: string | null };
  }
}
