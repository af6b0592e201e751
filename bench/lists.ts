/**
 * Issue #11, "every hot list": the town-scoped first pages of the seven hot lists at 20,000 volunteers, against the
 * bare route in the same run, with the list cache on (the deployed default) and off (every request builds its page).
 *
 * Data: the demo county is grown with direct SQL (not through the API) to 20,000 volunteers, one in 16 in 新集镇 (the
 * 16 towns take turns, villages in turn inside each town), and every other list in proportion to the demo's own
 * volunteers : rows ratio (orders, activities, households, points accounts, claims, wishes), each new row a copy of a
 * demo row of its table with a new id, place and time, 新集镇 ending with one row in 16 of each table. Then `ANALYZE`.
 * Each list is measured right after the bare route (the pair gives its ratio): the machine is shared.
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { startServer, type RunningServer } from '../e2e/server.js';
import { loadAverage, log, login } from './lib.js';

export const LIST_PATHS = {
  volunteers: '/api/v1/volunteers?page=1&pageSize=20',
  orders: '/api/v1/orders?page=1&pageSize=20',
  activities: '/api/v1/activities?page=1&pageSize=20',
  households: '/api/v1/households?page=1&pageSize=20',
  pointAccounts: '/api/v1/points/accounts?page=1&pageSize=20',
  wishes: '/api/v1/wishes?page=1&pageSize=20',
  pointClaims: '/api/v1/points/claims?page=1&pageSize=20',
  /** #14: the residents' public columns (no sign-in; the same list cache) */
  publicArticles: `/api/v1/public/articles?county=411523&page=1&pageSize=20`,
} as const;
export type ListName = keyof typeof LIST_PATHS;

export type ListRoute = { reqPerSec: number; p50: number; p99: number; max: number; non2xx: number; errors: number };
export type ListsResult = {
  connections: number;
  durationS: number;
  warmupS: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  generateMs: number;
  /** rows in the county after the generation, and in the 新集镇 admin's scope (the total of the first page) */
  rows: Record<ListName, { county: number; scoped: number }>;
  /** health: the bare route measured right before each list */
  cached: { health: Record<ListName, ListRoute>; lists: Record<ListName, ListRoute> };
  uncached: { health: Record<ListName, ListRoute>; lists: Record<ListName, ListRoute> };
};

const COUNTY = '411523';
const TARGET_VOLUNTEERS = Number(process.env.BENCH_LIST_VOLUNTEERS ?? 20000);

/** Tables grown in proportion, with the columns a copy must not share with its original. */
const PROPORTIONAL: {
  table: string;
  list: ListName;
  unique?: Record<string, string>;
  time: string[];
  where?: string;
}[] = [
  { table: 'orders', list: 'orders', time: ['created_at', 'submitted_at', 'step_started_at', 'updated_at'] },
  { table: 'activities', list: 'activities', time: ['start_at', 'end_at', 'created_at', 'updated_at'] },
  { table: 'households', list: 'households', time: ['created_at'] },
  {
    table: 'point_accounts',
    list: 'pointAccounts',
    unique: { owner_id: 'gen_random_uuid()' },
    time: ['created_at'],
    where: "type <> 'system'",
  },
  { table: 'wishes', list: 'wishes', time: ['created_at', 'updated_at'] },
  { table: 'point_claims', list: 'pointClaims', time: ['created_at', 'updated_at'] },
];

const XINJI = '411523100';
/**
 * Places for row g: 新集镇 (town 15) for the first k rows, so that it ends with one row in 16 of the table (the demo
 * has more there), then the other 15 towns in turn; the villages of a town in turn.
 */
const placesCte = `
  towns as (select code,
      case when code = '${XINJI}' then 15 else row_number() over (order by code = '${XINJI}', code) - 1 end as ti
    from regions where level = 'town' and county_code = '${COUNTY}'),
  vill as (select r.code, r.path, t.ti,
      row_number() over (partition by t.ti order by r.code) - 1 as vi, count(*) over (partition by t.ti) as nv
    from regions r join towns t on r.parent_code = t.code where r.level = 'village')`;

async function copyRows(
  c: pg.Client,
  table: string,
  n: number,
  unique: Record<string, string>,
  timeCols: string[],
  where = 'true',
): Promise<void> {
  if (n <= 0) return;
  // the number of originals as a constant, so both joins below are equi-joins (hash joins), not nested loops
  const ns = Number(
    (await c.query(`select count(*)::int as n from ${table} where county_code = '${COUNTY}' and ${where}`)).rows[0].n,
  );
  const inXinji = Number(
    (
      await c.query(
        `select count(*)::int as n from ${table} ` +
          `where county_code = '${COUNTY}' and region_path like '/${COUNTY}/${XINJI}/%'`,
      )
    ).rows[0].n,
  );
  const have = Number(
    (await c.query(`select count(*)::int as n from ${table} where county_code = '${COUNTY}'`)).rows[0].n,
  );
  const k = Math.max(0, Math.min(n, Math.round((have + n) / 16) - inXinji));
  // each copy: a demo row of the table (in turn), a new id, a village of the turn's town, times moved back by g minutes
  const overrides = [
    `'id', gen_random_uuid()`,
    `'region_code', v.code`,
    `'region_path', v.path`,
    ...Object.entries(unique).map(([k, expr]) => `'${k}', ${expr}`),
    ...timeCols.map((col) => `'${col}', (src.${col} - make_interval(mins => g.g))`),
  ].join(', ');
  await c.query(`
    with ${placesCte},
    src as (select t.*, row_number() over (order by t.id) - 1 as sn from ${table} t
      where t.county_code = '${COUNTY}' and ${where}),
    g as (select g, case when g <= ${k} then 15 else (g - ${k}) % 15 end as ti,
      case when g <= ${k} then g else (g - ${k}) / 15 end as q, g % ${ns} as sn from generate_series(1, ${n}) g)
    insert into ${table}
    select (jsonb_populate_record(null::${table}, to_jsonb(src) - 'sn' || jsonb_build_object(${overrides}))).*
    from g
    join vill v on v.ti = g.ti and v.vi = g.q % v.nv
    join src on src.sn = g.sn`);
}

async function generate(databaseUrl: string): Promise<{ ms: number }> {
  const t = performance.now();
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const count = async (table: string) =>
      Number(
        (await c.query(`select count(*)::int as n from ${table} where county_code = '${COUNTY}'`)).rows[0].n as number,
      );
    const demoVolunteers = await count('volunteers');
    const factor = TARGET_VOLUNTEERS / demoVolunteers;
    log(`  generating: ${demoVolunteers} demo volunteers → ${TARGET_VOLUNTEERS} (× ${factor.toFixed(2)}) …`);
    await c.query('begin');
    await copyRows(
      c,
      'volunteers',
      TARGET_VOLUNTEERS - demoVolunteers,
      {
        volunteer_no: `'ZB' || lpad(g.g::text, 8, '0')`,
        id_hash: `md5('bench-id-' || g.g)`,
        phone_hash: `md5('bench-phone-' || g.g)`,
        user_id: 'null',
      },
      ['created_at', 'updated_at'],
    );
    for (const p of PROPORTIONAL) {
      const have = await count(p.table);
      await copyRows(c, p.table, Math.round(have * factor) - have, p.unique ?? {}, p.time, p.where);
    }
    await c.query('commit');
    await c.query('analyze');
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    await c.end();
  }
  return { ms: Math.round(performance.now() - t) };
}

async function cannon(url: string, connections: number, duration: number, headers: Record<string, string> = {}) {
  const r = await autocannon({ url, connections, duration, headers });
  return {
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

async function measure(
  server: RunningServer,
  token: string,
  connections: number,
  duration: number,
  warmup: number,
  label: string,
) {
  const auth = { authorization: `Bearer ${token}` };
  await cannon(`${server.baseUrl}/api/health`, connections, warmup);
  // on a shared machine the load moves during a run: each list is measured right after the bare route, and its ratio
  // is taken to that measurement
  const health = {} as Record<ListName, ListRoute>;
  const lists = {} as Record<ListName, ListRoute>;
  for (const [name, p] of Object.entries(LIST_PATHS) as [ListName, string][]) {
    health[name] = await cannon(`${server.baseUrl}/api/health`, connections, duration);
    await cannon(`${server.baseUrl}${p}`, connections, warmup, auth);
    lists[name] = await cannon(`${server.baseUrl}${p}`, connections, duration, auth);
    const x = lists[name];
    const h = health[name];
    log(
      `  [${label}] GET ${p}: ${x.reqPerSec} req/s / health ${h.reqPerSec} ` +
        `= ${((x.reqPerSec / h.reqPerSec) * 100).toFixed(1)} %, p99 ${x.p99} ms ` +
        `(health ${h.p99} ms)${x.non2xx + x.errors ? `, ${x.non2xx} non-2xx, ${x.errors} errors` : ''}`,
    );
  }
  return { health, lists };
}

/** Runs on a fresh PostgreSQL database: seed, grow, measure with the cache on, restart with it off, measure again. */
export async function benchLists(opts: {
  dataDir: string;
  databaseUrl: string;
  execArgv: string[];
  connections: number;
  durationS: number;
  warmupS: number;
}): Promise<ListsResult> {
  const loadAverageBefore = loadAverage();
  const env = { WENMING_DEMO: '1', LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '100000' };
  let server: RunningServer | undefined;
  // the demo seed takes minutes on a shared, loaded machine
  const start = { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl, execArgv: opts.execArgv, timeoutMs: 900_000 };
  try {
    log(`\n▶ #11 lists on postgres: cold start with demo seed …`);
    server = await startServer({ ...start, env });
    await server.stop();
    server = undefined;
    const { ms: generateMs } = await generate(opts.databaseUrl);
    log(`  generated in ${(generateMs / 1000).toFixed(1)} s`);

    server = await startServer({ ...start, env });
    const token = await login(server.baseUrl, '13800000002');
    const rows = {} as ListsResult['rows'];
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    try {
      for (const [name, p] of Object.entries(LIST_PATHS) as [ListName, string][]) {
        const res = await fetch(`${server.baseUrl}${p}`, { headers: { authorization: `Bearer ${token}` } });
        if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
        const table =
          { pointAccounts: 'point_accounts', pointClaims: 'point_claims', publicArticles: 'articles' }[
            name as string
          ] ?? name;
        const county = Number(
          (await c.query(`select count(*)::int n from ${table} where county_code = '${COUNTY}'`)).rows[0].n,
        );
        rows[name] = { county, scoped: ((await res.json()) as { total: number }).total };
      }
    } finally {
      await c.end();
    }
    log(`  rows (county / 新集镇 admin's scope): ${JSON.stringify(rows)}`);
    const cached = await measure(server, token, opts.connections, opts.durationS, opts.warmupS, 'cache on');
    await server.stop();
    server = await startServer({ ...start, env: { ...env, WENMING_LIST_CACHE: '0' } });
    const uncached = await measure(server, token, opts.connections, opts.durationS, opts.warmupS, 'cache off');
    return {
      connections: opts.connections,
      durationS: opts.durationS,
      warmupS: opts.warmupS,
      loadAverageBefore,
      loadAverageAfter: loadAverage(),
      generateMs,
      rows,
      cached,
      uncached,
    };
  } finally {
    await server?.stop();
  }
}
