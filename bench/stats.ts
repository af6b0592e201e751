/**
 * Issue #12, statistics at ten times the demo: the demo county grown with direct SQL (not through the API, triggers
 * off) to 60,000 volunteers, 1,000,000 hours entries, 200,000 orders and 100,000 activities — copies of demo rows
 * with new ids, villages in turn, dates spread over the two years before the copy — then the rollups rebuilt from
 * the rows (`rebuildStats`, what `cli stats-verify --rebuild` runs) and checked (`verifyStats`).
 *
 * Measured, sequentially (one request at a time, as a dashboard or a clerk asks):
 * - GET /api/v1/stats/overview for the county this year, a town this year, the county last month, and the county
 *   this year by town (p50/p99 of 40 requests each);
 * - the same figures computed by aggregating the raw tables (the `stat_contributions` view over every row, plus the
 *   active volunteers from the hours ledger and the sites) in the same database: the ratio is the point of rollups;
 * - the annual report (JSON and Word) for the county.
 * The write cost of the rollups is measured in the #4/#5 scenarios (run.ts): the same lifecycles and burst with the
 * capture triggers on and off.
 */
import pg from 'pg';
import { startServer, type RunningServer } from '../e2e/server.js';
import { latency, log, login, type Latency } from './lib.js';
import { openDatabase } from '../server/db/client.js';
import { rebuildStats, verifyStats } from '../server/modules/stats/service.js';

const COUNTY = '411523';
const XINJI = '411523100';
/** the overview case that is built on every request (a new period each time), beside the kept ones */
export const BUILT = 'county, a year to a day, built each time (a new period per request)';
/** BENCH_STATS_SCALE (default 1) shrinks the county for a trial run (0.1: the demo's size, more or less) */
const SCALE = Number(process.env.BENCH_STATS_SCALE ?? 1);
const TARGET = Object.fromEntries(
  Object.entries({ volunteers: 60_000, hours_entries: 1_000_000, orders: 200_000, activities: 100_000 }).map(
    ([k, n]) => [k, Math.round(n * SCALE)],
  ),
) as { volunteers: number; hours_entries: number; orders: number; activities: number };

export type StatsBenchResult = {
  rows: Record<keyof typeof TARGET, number>;
  generateMs: number;
  rebuildMs: number;
  rebuildDeltas: number;
  verifyMs: number;
  differences: number;
  overview: Record<string, Latency & { errors: number }>;
  raw: Latency;
  ratio: number;
  report: { json: Latency; docx: Latency; errors: number };
};

/** Copies of the county's own rows of a table, n of them: new id, a village in turn, dates moved back up to 2 years. */
async function grow(
  c: pg.Client,
  table: string,
  n: number,
  over: Record<string, string>,
  times: string[],
  dates: string[] = [],
  /** a column pointing at a row of another table of the county, spread over all of them (hours over every volunteer) */
  spread?: { col: string; table: string },
) {
  if (n <= 0) return;
  const t0 = performance.now();
  const hasRegionCode = (
    await c.query(`select 1 from information_schema.columns where table_name = $1 and column_name = 'region_code'`, [
      table,
    ])
  ).rowCount;
  const identity = (
    await c.query(`select column_name from information_schema.columns where table_name = $1 and is_identity = 'YES'`, [
      table,
    ])
  ).rows.map((r) => r.column_name as string);
  const overrides = [
    `'id', gen_random_uuid()`,
    ...(hasRegionCode ? [`'region_code', v.code`] : []),
    `'region_path', v.path`,
    ...Object.entries(over).map(([k, e]) => `'${k}', ${e}`),
    ...times.map((col) => `'${col}', (src.${col} - make_interval(days => (g.g % 700)::int, mins => (g.g % 600)::int))`),
    ...dates.map((col) => `'${col}', (src.${col} - (g.g % 700)::int)`),
    ...(spread ? [`'${spread.col}', o.id`] : []),
    // identity columns (the ledger's seq) take new numbers
    ...identity.map((col) => `'${col}', nextval(pg_get_serial_sequence('${table}', '${col}'))`),
  ].join(', ');
  const no = spread
    ? Number(
        (await c.query(`select count(*)::int as n from ${spread.table} where county_code = '${COUNTY}'`)).rows[0].n,
      )
    : 1;
  // the counts as constants, so both joins are equi-joins (hash joins), not nested loops over a million rows
  const ns = Number(
    (await c.query(`select count(*)::int as n from ${table} where county_code = '${COUNTY}'`)).rows[0].n,
  );
  const nv = Number(
    (await c.query(`select count(*)::int as n from regions where level = 'village' and county_code = '${COUNTY}'`))
      .rows[0].n,
  );
  const otherRows = spread
    ? `select id, row_number() over (order by id) - 1 as k from ${spread.table} where county_code = '${COUNTY}'`
    : 'select null::uuid as id, 0::bigint as k';
  await c.query(`
    with src as materialized (select t.*, row_number() over (order by t.id) - 1 as sn from ${table} t
      where t.county_code = '${COUNTY}'),
    vill as materialized (select code, path, row_number() over (order by code) - 1 as vi
      from regions where level = 'village' and county_code = '${COUNTY}'),
    other as materialized (${otherRows}),
    g as (select g, g % ${ns} as sn, (g * 7919) % ${nv} as vi, (g * 104729) % ${no} as k
      from generate_series(1::bigint, ${n}::bigint) g)
    insert into ${table} ${identity.length ? 'overriding system value' : ''}
    select r.* from g join src on src.sn = g.sn join vill v on v.vi = g.vi join other o on o.k = g.k
    -- in FROM: (f(…)).* in the select list would call f once per column
    cross join lateral
      jsonb_populate_record(null::${table}, to_jsonb(src) - 'sn' || jsonb_build_object(${overrides})) r`);
  log(`  ${table}: +${n} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

export async function generate(databaseUrl: string) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const count = async (t: string) =>
    Number((await c.query(`select count(*)::int as n from ${t} where county_code = '${COUNTY}'`)).rows[0].n);
  const t0 = performance.now();
  try {
    // the demo's tables as they are, so the copies' joins are planned on real counts
    await c.query('analyze');
    await c.query('begin');
    // bulk data for a benchmark: user triggers (append-only guards, list versions, stat capture) and FK checks off
    await c.query(`set local session_replication_role = replica`);
    await grow(
      c,
      'volunteers',
      TARGET.volunteers - (await count('volunteers')),
      {
        volunteer_no: `'ZS' || lpad(g.g::text, 8, '0')`,
        id_hash: `md5('bench-st-id-' || g.g)`,
        phone_hash: `md5('bench-st-ph-' || g.g)`,
        user_id: 'null',
      },
      ['created_at', 'updated_at', 'verified_at'],
    );
    await grow(c, 'activities', TARGET.activities - (await count('activities')), {}, [
      'start_at',
      'end_at',
      'created_at',
      'updated_at',
      'published_at',
      'ended_at',
    ]);
    await grow(c, 'orders', TARGET.orders - (await count('orders')), {}, [
      'created_at',
      'submitted_at',
      'step_started_at',
      'updated_at',
      'dispatched_at',
      'accepted_at',
      'completed_at',
      'rated_at',
      'closed_at',
    ]);
    await grow(
      c,
      'hours_entries',
      TARGET.hours_entries - (await count('hours_entries')),
      { signup_id: 'null', order_id: 'null', request_id: 'null', reverses_id: 'null' },
      ['created_at'],
      ['service_date'],
      { col: 'volunteer_id', table: 'volunteers' },
    );
    await c.query('commit');
    await c.query('analyze');
    const rows = {} as StatsBenchResult['rows'];
    for (const t of Object.keys(TARGET) as (keyof typeof TARGET)[]) rows[t] = await count(t);
    return { ms: Math.round(performance.now() - t0), rows };
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    await c.end();
  }
}

const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** n requests one at a time; `path` may differ per request (a new period each time: nothing kept to answer it) */
async function timeRequests(server: RunningServer, token: string, path: string | ((i: number) => string), n: number) {
  const samples: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${server.baseUrl}${typeof path === 'string' ? path : path(i)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    samples.push(performance.now() - t);
    if (res.status !== 200) errors++;
  }
  return { ...latency(samples), errors };
}

/** The overview's period figures computed from the raw rows every time (what the rollups save). */
async function rawOverview(c: pg.Client, path: string, from: string, to: string) {
  const like = `${path}%`;
  await c.query(
    `select key, sum(value) from stat_contributions
     where region_path like $1 and day between $2::date and $3::date group by key`,
    [like, from, to],
  );
  await c.query(
    `select key, sum(value) from stat_contributions where region_path like $1 and day <= $2::date
     and key in ('volunteers.registered', 'volunteers.verified', 'teams.total') group by key`,
    [like, to],
  );
  await c.query(
    `select count(*) from (select volunteer_id from hours_entries where region_path like $1
     and service_date between $2::date and $3::date group by volunteer_id having sum(hours) > 5) x`,
    [like, from, to],
  );
}

export async function benchStats(opts: {
  dataDir: string;
  databaseUrl: string;
  execArgv: string[];
}): Promise<StatsBenchResult> {
  log('\n▶ issue #12 on postgres: statistics at 10× the demo …');
  // a first start seeds the demo county, which the generation copies
  const seeding = await startServer({
    dataDir: opts.dataDir,
    databaseUrl: opts.databaseUrl,
    env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '100000' },
    execArgv: opts.execArgv,
  });
  await seeding.stop();
  const gen = await generate(opts.databaseUrl);
  log(`  generated in ${(gen.ms / 1000).toFixed(1)} s: ${JSON.stringify(gen.rows)}`);
  const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, poolSize: 2 });
  let t = performance.now();
  const rebuildDeltas = await rebuildStats(database.db);
  const rebuildMs = Math.round(performance.now() - t);
  log(`  rollups rebuilt from the rows in ${(rebuildMs / 1000).toFixed(1)} s (${rebuildDeltas} deltas folded)`);
  t = performance.now();
  const differences = (await verifyStats(database.db)).length;
  const verifyMs = Math.round(performance.now() - t);
  log(`  stats-verify: ${differences} differences, ${(verifyMs / 1000).toFixed(1)} s`);
  await database.close();

  const server: RunningServer = await startServer({
    dataDir: opts.dataDir,
    databaseUrl: opts.databaseUrl,
    env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '100000' },
    execArgv: opts.execArgv,
  });
  try {
    const token = await login(server.baseUrl, '13800000001');
    const today = chinaToday();
    const year = `${today.slice(0, 4)}-01-01`;
    const lastMonth = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
    lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
    const lm = lastMonth.toISOString().slice(0, 7);
    const lmEnd = new Date(Date.UTC(lastMonth.getUTCFullYear(), lastMonth.getUTCMonth() + 1, 0))
      .toISOString()
      .slice(0, 10);
    // a year up to a day that moves back with each request: every answer built from the rollups, none kept
    const dayBefore = (i: number) =>
      new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10);
    const yearBefore = (d: string) => `${Number(d.slice(0, 4)) - 1}${d.slice(4)}`;
    const paths: Record<string, string | ((i: number) => string)> = {
      'county, this year': `/api/v1/stats/overview?from=${year}&to=${today}`,
      'town, this year': `/api/v1/stats/overview?regionCode=${XINJI}&from=${year}&to=${today}`,
      'county, last month': `/api/v1/stats/overview?from=${lm}-01&to=${lmEnd}`,
      'county, this year by town': `/api/v1/stats/overview?from=${year}&to=${today}&by=town`,
      [BUILT]: (i) => `/api/v1/stats/overview?from=${yearBefore(dayBefore(i + 5))}&to=${dayBefore(i + 5)}`,
    };
    const overview: StatsBenchResult['overview'] = {};
    for (const [name, p] of Object.entries(paths)) {
      await timeRequests(server, token, p, 5);
      overview[name] = await timeRequests(server, token, p, 40);
      log(`  overview ${name}: p50 ${overview[name].p50.toFixed(1)} ms, p99 ${overview[name].p99.toFixed(1)} ms`);
    }
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    const rawSamples: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const s = performance.now();
        await rawOverview(c, `/${COUNTY}/`, year, today);
        rawSamples.push(performance.now() - s);
      }
    } finally {
      await c.end();
    }
    const raw = latency(rawSamples);
    const ratio = Math.round((raw.p50 / overview['county, this year'].p50) * 10) / 10;
    log(`  raw aggregation of the same figures: p50 ${raw.p50.toFixed(0)} ms → the rollups are ${ratio}× faster`);
    const reportYear = today.slice(0, 4);
    const json = await timeRequests(server, token, `/api/v1/reports/annual?year=${reportYear}`, 5);
    const docx = await timeRequests(server, token, `/api/v1/reports/annual?year=${reportYear}&format=docx`, 5);
    log(
      `  annual report: JSON p50 ${json.p50.toFixed(0)} ms (max ${json.max.toFixed(0)}), ` +
        `Word p50 ${docx.p50.toFixed(0)} ms`,
    );
    return {
      rows: gen.rows,
      generateMs: gen.ms,
      rebuildMs,
      rebuildDeltas,
      verifyMs,
      differences,
      overview,
      raw,
      ratio,
      report: { json, docx, errors: json.errors + docx.errors },
    };
  } finally {
    await server.stop();
  }
}
