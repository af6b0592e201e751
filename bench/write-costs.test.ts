/**
 * What one request of the #4 order lifecycle (create, dispatch, accept, complete, rate) and one #5 sign-up cost,
 * counted rather than timed, so that it can be measured on a busy machine (bench/NOTES.md, 2026-12-07):
 *   statements   round trips this process sent to PostgreSQL per request (pg.Client.query calls)
 *   rows written n_tup_ins + n_tup_upd + n_tup_del of pg_stat_user_tables, per table
 *   fn calls     PL/pgSQL calls (pg_stat_user_functions, track_functions = 'pl' on the test database): the
 *                list-version triggers; `ms:` their total time
 *   app cpu      process.cpuUsage() around the requests (this process: Fastify, the handlers, the pg client)
 *   backend cpu  utime + stime of the database's backends (/proc, 10 ms ticks: coarse, use COST_M ≥ 200)
 * Each step runs COST_M times in a row for COST_M different residents and volunteers (minted as bench/orders.ts
 * does), after a few warm-up lifecycles; the statistics are read 11 s after each step (an idle backend flushes them
 * within 10 s). Production settings: the response check is off. PostgreSQL only (the database's /proc and pg_stat):
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx vitest run --config bench/write-costs.config.ts
 * COST_FAST=1 skips the statistics (and their waits); COST_PROF=1 writes .tmp/cost-<step>.cpuprofile.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import pg from 'pg';
import { Session } from 'node:inspector/promises';
import { afterAll, beforeAll, test } from 'vitest';
import { createTestApp, type TestApp } from '../server/test/harness.js';

const M = Number(process.env.COST_M ?? 40);
let counting = false;
const texts: string[] = [];
const origQuery = pg.Client.prototype.query;
(pg.Client.prototype as unknown as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  if (counting) {
    const c = args[0] as string | { text?: string };
    texts.push(typeof c === 'string' ? c : (c?.text ?? '?'));
  }
  return (origQuery as unknown as (...a: unknown[]) => unknown).apply(this, args);
} as never;

let t: TestApp;
let admin: pg.Client;
let dbName = '';
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

const PG = !!process.env.TEST_DATABASE_URL;

beforeAll(async () => {
  if (!PG) return;
  t = await createTestApp();
  const url = t.deps.config.databaseUrl!;
  dbName = new URL(url).pathname.slice(1);
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`alter database ${dbName} set track_functions = 'pl'`);
  (t.deps.config as { responseCheck: string }).responseCheck = process.env.COST_CHECK ?? 'off';
  t = await t.restart();
}, 120_000);
afterAll(async () => {
  await admin?.end();
  await t?.close();
});

async function mint(village: { code: string; path: string; county_code: string }, n: number) {
  const idx = Array.from({ length: n }, (_, i) => i);
  const res = idx.map(() => crypto.randomUUID());
  const vus = idx.map(() => crypto.randomUUID());
  const vids = idx.map(() => crypto.randomUUID());
  const rt = idx.map(() => crypto.randomBytes(24).toString('base64url'));
  const vt = idx.map(() => crypto.randomBytes(24).toString('base64url'));
  const tag = crypto.randomBytes(3).toString('hex');
  const c = admin;
  await c.query('begin');
  await c.query(
    `insert into users (id, county_code, name, phone_hash, phone_enc, phone_masked, password_hash, region_code)
     select u, $1, case when r then '测群众' else '测志愿者' end || i, 'bench-phone-' || u, 'x',
       '199****' || lpad(i::text, 4, '0'), 'x', $2
     from unnest($3::uuid[], $4::int[], $5::bool[]) as t(u, i, r)`,
    [
      village.county_code,
      village.code,
      [...res, ...vus],
      [...idx, ...idx],
      [...idx.map(() => true), ...idx.map(() => false)],
    ],
  );
  await c.query(
    `insert into role_assignments (user_id, role_code, region_code, scope) select u, 'resident', $1, 'self' ` +
      'from unnest($2::uuid[]) as t(u)',
    [village.code, res],
  );
  await c.query(
    `insert into role_assignments (user_id, role_code, region_code, scope) select u, 'volunteer', $1, 'self' ` +
      'from unnest($2::uuid[]) as t(u)',
    [village.code, vus],
  );
  await c.query(
    `insert into volunteers (id, county_code, region_code, region_path, user_id, volunteer_no, name, name_pinyin,
      name_initials, gender, birth_date, id_hash, id_enc, id_masked, source, verified)
     select v, $1, $2, $3, u, 'BO' || $6 || lpad(i::text, 4, '0'), '测志愿者' || i, 'x', 'x', 'female', '1990-01-01',
       'bench-id-' || v, 'x', '4115**********0000', 'staff', true
     from unnest($4::uuid[], $5::uuid[], $7::int[]) as t(v, u, i)`,
    [village.county_code, village.code, village.path, vids, vus, tag, idx],
  );
  await c.query(
    `insert into sessions (token_hash, user_id, csrf_token) select h, u, 'bench' ` +
      'from unnest($1::text[], $2::uuid[]) as t(h, u)',
    [[...rt, ...vt].map(sha256), [...res, ...vus]],
  );
  await c.query('commit');
  return idx.map((i) => ({ resident: rt[i], volunteer: vt[i], volunteerId: vids[i] }));
}

async function backendCpu() {
  const { rows } = await admin.query(
    `select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
    [dbName],
  );
  let ticks = 0;
  for (const r of rows) {
    try {
      const f = fs.readFileSync(`/proc/${r.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return ticks * 10; // ms (100 Hz)
}
async function stats() {
  await admin.query('select pg_stat_clear_snapshot()');
  const tabs = await admin.query(
    `select relname, n_tup_ins + n_tup_upd + n_tup_del as w, n_tup_hot_upd as hot from pg_stat_user_tables`,
  );
  const fns = await admin.query(`select funcname, calls, total_time, self_time from pg_stat_user_functions`);
  const m = new Map<string, number>();
  for (const r of tabs.rows) m.set(`t:${r.relname}`, Number(r.w));
  for (const r of fns.rows) {
    m.set(`f:${r.funcname}`, Number(r.calls));
    m.set(`ms:${r.funcname}`, Number(r.total_time));
  }
  return m;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FAST = !!process.env.COST_FAST;
async function measure(name: string, run: (i: number) => Promise<void>) {
  if (!FAST) await sleep(11_000);
  const s0 = await stats();
  const b0 = await backendCpu();
  texts.length = 0;
  counting = true;
  const session = process.env.COST_PROF ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const c0 = process.cpuUsage();
  for (let i = 0; i < M; i++) await run(i);
  const c1 = process.cpuUsage(c0);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(`.tmp/cost-${name}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
  counting = false;
  const b1 = await backendCpu();
  const n = texts.length;
  const kinds = new Map<string, number>();
  for (const x of texts) {
    const k = x.replace(/\s+/g, ' ').slice(0, 90);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  if (!FAST) await sleep(11_000);
  const s1 = FAST ? s0 : await stats();
  const rows: string[] = [];
  let writes = 0;
  let calls = 0;
  for (const [k, v] of s1) {
    const d = v - (s0.get(k) ?? 0);
    if (d) {
      rows.push(`${k}=${(d / M).toFixed(k.startsWith('ms:') ? 3 : 2)}`);
      if (k.startsWith('t:')) writes += d;
      else if (k.startsWith('f:')) calls += d;
    }
  }
  console.log(
    `COST ${name}: statements ${(n / M).toFixed(2)}, rows written ${(writes / M).toFixed(2)}, ` +
      `fn calls ${(calls / M).toFixed(2)}, app cpu ${((c1.user + c1.system) / 1000 / M).toFixed(3)} ms ` +
      `(user ${(c1.user / 1000 / M).toFixed(3)}, sys ${(c1.system / 1000 / M).toFixed(3)}), ` +
      `backend cpu ${((b1 - b0) / M).toFixed(3)} ` +
      `ms\n  ${rows.join(' ')}\n  ${[...kinds].map(([k, v]) => `${(v / M).toFixed(2)}× ${k}`).join('\n  ')}`,
  );
}

test.skipIf(!PG)(
  'cost',
  async () => {
    const res = await t.as('13800000007')({ method: 'GET', url: '/api/v1/me' });
    const regionCode = res.json().regionCode as string;
    const {
      rows: [village],
    } = await admin.query(`select code, path, county_code from regions where code = $1`, [regionCode]);
    const W = 3;
    const pairs = await mint(village, M + W);
    const signers = await mint(village, M + W);
    const dispatcher = await t.token('13800000002');
    const call = async (tok: string, url: string, payload: unknown) => {
      const r = await t.app.inject({
        method: 'POST',
        url,
        payload: payload as object,
        headers: { authorization: `Bearer ${tok}` },
      });
      if (r.statusCode >= 300) throw new Error(`${url} ${r.statusCode} ${r.body}`);
      return r.json();
    };
    const menu = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/service-items',
        headers: { authorization: `Bearer ${pairs[0].resident}` },
      })
    ).json();
    const item = menu.items.find((i: { fields: { required: boolean }[] }) => i.fields.every((f) => !f.required));
    const ids: string[] = [];
    const steps = {
      create: async (i: number) => {
        ids[i] = (
          await call(pairs[i].resident, '/api/v1/orders', { serviceItemId: item.id, description: `测 ${i}` })
        ).id;
      },
      dispatch: async (i: number) => {
        await call(dispatcher, `/api/v1/orders/${ids[i]}/dispatch`, {
          target: { type: 'volunteer', id: pairs[i].volunteerId },
        });
      },
      accept: async (i: number) => {
        await call(pairs[i].volunteer, `/api/v1/orders/${ids[i]}/accept`, {});
      },
      complete: async (i: number) => {
        await call(pairs[i].volunteer, `/api/v1/orders/${ids[i]}/complete`, { summary: '完成', hours: 1 });
      },
      rate: async (i: number) => {
        await call(pairs[i].resident, `/api/v1/orders/${ids[i]}/rate`, { score: 5 });
      },
    };
    // warm-up: W lifecycles (indices M..M+W)
    for (let i = M; i < M + W; i++) for (const s of Object.values(steps)) await s(i);
    for (const [name, s] of Object.entries(steps)) await measure(name, s);

    const admin1 = await t.token('13800000001');
    const start = new Date(t.clock.now().getTime() + 3 * 86400_000);
    const mk = async (title: string) => {
      const a = await call(admin1, '/api/v1/activities', {
        title,
        type: 'volunteer_service',
        regionCode: village.code,
        startAt: start.toISOString(),
        endAt: new Date(start.getTime() + 3 * 3600_000).toISOString(),
        quota: 50,
        address: '村文化广场',
      });
      await call(admin1, `/api/v1/activities/${a.id}/publish`, {});
      return a.id as string;
    };
    const warmAct = await mk('预热');
    const act = await mk('高峰');
    for (let i = M; i < M + W; i++) await call(signers[i].volunteer, `/api/v1/activities/${warmAct}/signups`, {});
    await measure('signup', async (i) => {
      await call(signers[i].volunteer, `/api/v1/activities/${act}/signups`, {});
    });
  },
  600_000,
);
