import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { openPlatform } from '../bootstrap.js';
import { buildApp } from '../app.js';
import { TestClock } from '../platform/clock.js';
import { verifyStats } from '../modules/stats/service.js';
import type { Deps } from '../platform/context.js';
import { DEMO_PASSWORD, TEST_NOW, TEST_SECRET } from './constants.js';

export type TestApp = {
  app: FastifyInstance;
  deps: Deps;
  clock: TestClock;
  /** Logs in a demo account (cached per phone) and returns its bearer token. */
  token: (phone: string) => Promise<string>;
  /** app.inject with a bearer token for the given phone (or none). */
  as: (phone: string | null) => (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  /** Signs in an account staff created with `password` for the first time and sets the demo password. */
  firstSignIn: (phone: string, password: string) => Promise<void>;
  /** Stops this app and its database connection and starts a new app on the same data (a server restart). */
  restart: () => Promise<TestApp>;
  close: () => Promise<void>;
};

/** A fresh copy of the demo county database and an app on it, for one test file. */
export async function createTestApp(opts: { authRateLimit?: number; listCache?: boolean } = {}): Promise<TestApp> {
  const tpl = inject('testTemplate');
  const id = crypto.randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wenming-test-'));
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (tpl.templateDb && tpl.adminUrl) {
    dbName = `wenming_t_${id}`;
    const admin = new pg.Client({ connectionString: tpl.adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName} template ${tpl.templateDb}`);
    await admin.end();
    const u = new URL(tpl.adminUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  } else {
    fs.cpSync(tpl.dataDir, path.join(dataDir, 'pgdata'), { recursive: true });
  }
  // the demo's files (photos, attachments) beside its data, as a restored backup has them
  if (fs.existsSync(tpl.filesDir)) fs.cpSync(tpl.filesDir, path.join(dataDir, 'files'), { recursive: true });
  const clock = new TestClock(new Date(TEST_NOW));
  const config = {
    ...loadConfig({}),
    dataDir,
    databaseUrl,
    secretKey: TEST_SECRET,
    logLevel: 'silent' as const,
    authRateLimit: opts.authRateLimit ?? 100_000,
    listCache: opts.listCache ?? true,
    // every answer is checked against its route's response schema: a test fails when the code and the schema differ
    responseCheck: 'strict' as const,
  };
  const cleanup = async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbName && tpl.adminUrl) {
      const admin = new pg.Client({ connectionString: tpl.adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  };
  return start(config, clock, cleanup);
}

async function start(config: Deps['config'], clock: TestClock, cleanup: () => Promise<void>): Promise<TestApp> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 20 });
  const deps = await openPlatform(config, { database, clock });
  const app = await buildApp(deps, { logger: false, serveWeb: false });
  await app.ready();
  const stop = async () => {
    await deps.jobs.stop();
    await app.close();
    await database.close();
  };
  const tokens = new Map<string, string>();
  const token = async (phone: string) => {
    const cached = tokens.get(phone);
    if (cached) return cached;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { phone, password: DEMO_PASSWORD },
    });
    if (res.statusCode !== 200) throw new Error(`login ${phone} failed: ${res.statusCode} ${res.body}`);
    const t = res.json().token as string;
    tokens.set(phone, t);
    return t;
  };
  const as = (phone: string | null) => async (opts: InjectOptions) => {
    const send = async () =>
      app.inject({
        ...opts,
        headers: { ...(opts.headers ?? {}), ...(phone ? { authorization: `Bearer ${await token(phone)}` } : {}) },
      });
    const res = await send();
    // a test that moves the clock past the idle limit ends cached sessions: log in again once
    if (phone && res.statusCode === 401 && tokens.has(phone)) {
      tokens.delete(phone);
      return send();
    }
    return res;
  };
  /**
   * The first sign-in of an account staff created with `password`: it must set its own (mustChangePassword), and sets
   * the demo password, so `as(phone)` can act for it afterwards.
   */
  const firstSignIn = async (phone: string, password: string) => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { phone, password } });
    if (login.statusCode !== 200) throw new Error(`login ${phone} failed: ${login.statusCode} ${login.body}`);
    const changed = await app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: { authorization: `Bearer ${login.json().token as string}` },
      payload: { oldPassword: password, newPassword: DEMO_PASSWORD },
    });
    if (changed.statusCode !== 204) throw new Error(`password of ${phone}: ${changed.statusCode} ${changed.body}`);
  };
  return {
    app,
    deps,
    clock,
    token,
    as,
    firstSignIn,
    restart: async () => {
      await stop();
      return start(config, clock, cleanup);
    },
    // every test file ends with `cli stats-verify`: the rollups must equal the figures recomputed from its rows
    close: async () => {
      const differences = await verifyStats(database.db).catch((e: unknown) => [{ error: String(e) }]);
      await stop();
      await cleanup();
      if (differences.length)
        throw new Error(`statistics differ from the rows: ${JSON.stringify(differences.slice(0, 10))}`);
    },
  };
}
