/**
 * `npm run bench`: starts the real server as a child process (fresh data, demo county seeded) on embedded
 * PGlite and then on PostgreSQL, and measures with autocannon, in the same run:
 *   - the bare route GET /api/health and the scoped paged list GET /api/v1/sites?page=1&pageSize=20
 *     as the 新集镇 institute admin (13800000002): req/s, p50, p99 and the scoped/bare ratio;
 *   - the server's RSS (VmRSS of the child) after the seed, after the warm-up and after the load;
 *   - warm start (second start on the existing data until /api/health answers);
 *   - on PGlite, responsiveness: /api/health latency while 20 GET /api/v1/stats/coverage run at once;
 *   - on PGlite, issue #13: the JS gzip KB a first visit of /admin/ and of /m/ downloads (login page, then the home
 *     page after sign-in), in Chromium against the built dist/web (e2e/first-load.ts; target 250 KB for the admin).
 * Then, on one more server per engine (fresh database, demo seed, AUTH_RATE_LIMIT raised), the issue scenarios:
 *   - issue #3, bench/volunteers.ts: 50,000-row template import (rows/s, RSS growth, ratio to direct multi-row
 *     INSERTs) and 200 sequential pinyin searches (p50/p99);
 *   - issue #5, bench/activities.ts (PostgreSQL only): 2,000 sign-ups for 50 seats (exact outcome, ratio to the
 *     bare route, p99), certificates per second, a 100,000-row hours ledger export (server RSS growth);
 *   - issue #6, bench/points.ts (PostgreSQL only): a batch award to 10,000 households (movements/s, ratio to one
 *     direct multi-row INSERT), balance read p50, the ledger verified after;
 *   - issue #4, bench/orders.ts (PostgreSQL only): order lifecycles per second over HTTP at 32 connections and
 *     the same five transactions as SQL on a pg Pool of 32.
 * And on a server of its own (PostgreSQL, fresh database grown to 20,000 volunteers by SQL), issue #11, bench/lists.ts:
 * the town-scoped first pages of the seven hot lists against the bare route, list cache on and off.
 * Writes bench/results/latest.json and regenerates docs/BENCHMARKS.md (`--report`: regenerate only).
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (32), BENCH_ENGINES
 * (pglite,postgres), BENCH_DATABASE_URL (admin URL; default TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_PROFILE=1 (write a --cpu-prof profile of the server to
 * .tmp/bench-prof/), BENCH_SCENARIOS (foundation,volunteers,orders,activities,points,lists,stats; BENCH_SCENARIOS=lists
 * runs the #11 lists scenario alone; stats-writes runs only the #12 with/without-capture comparison of the #4/#5
 * scenarios, not the 10× county), BENCH_LIST_VOLUNTEERS (20000), BENCH_ISSUE_ENGINES (engines for the issue scenarios,
 * default postgres), BENCH_IMPORT_ROWS (50000), BENCH_SEARCH_REQUESTS (200), BENCH_ORDERS_DURATION (s, 15),
 * BENCH_ORDERS_WARMUP (s, 3), BENCH_OUT (a folder for latest.json and BENCHMARKS.md instead of bench/results/ and
 * docs/: a trial run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDatabase, repoRoot, startServer, tempDataDir, type RunningServer } from '../e2e/server.js';
import { loadAverage, log, login, mb, percentile, procStatus } from './lib.js';
import { benchVolunteers, type VolunteersResult } from './volunteers.js';
import { benchOrders, STEPS, type OrdersResult } from './orders.js';
import { benchActivities, type ActivitiesResult } from './activities.js';
import { benchPoints, type PointsResult } from './points.js';
import { benchLists, LIST_PATHS, type ListName, type ListsResult } from './lists.js';
import { benchStats, BUILT, type StatsBenchResult } from './stats.js';
import { chromiumPath, launchBrowser } from '../e2e/browser.js';
import {
  ADMIN_FIRST_LOAD_BUDGET_KB,
  MOBILE_FCP_BUDGET_MS,
  MOBILE_FIRST_LOAD_BUDGET_KB,
  adminFirstLoad,
  mobileFirstLoad,
  mobileFirstPaint,
} from '../e2e/first-load.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((s) => s.trim());
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROFILE = process.env.BENCH_PROFILE === '1';
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'foundation,volunteers,orders,activities,points,lists,stats')
  .split(',')
  .map((x) => x.trim());
const ISSUE_ENGINES = (process.env.BENCH_ISSUE_ENGINES ?? 'postgres').split(',').map((x) => x.trim());
const SITES_PATH = '/api/v1/sites?page=1&pageSize=20';
/**
 * The V8 flags `npm start` gives the server (package.json: a young generation of 2 × 4 MB instead of V8's default
 * of up to 2 × 64 MB, and the old generation grown by 1.3× its live size after each full collection instead of up to
 * 4×), so the bench measures the server as it is deployed — the compiled bundle dist/server/main.mjs, like `npm start`.
 */
const SERVER_FLAGS: string[] =
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts.start.match(
    /--(?:max-semi-space-size|heap-growing-percent)=\d+/g,
  ) ?? [];

type RouteResult = {
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
};
type EngineResult = {
  engine: 'pglite' | 'postgres';
  coldStartMs: number;
  warmStartMs: number;
  rssMb: { afterSeed: number; afterWarmup: number; afterLoad: number; peak: number; warmRestart: number };
  health: RouteResult;
  sites: RouteResult;
  scopedRatio: number;
  /** the same scoped route on the warm-started server with WENMING_LIST_CACHE=0: every request builds its page */
  sitesUncached?: RouteResult;
  uncachedRatio?: number;
  siteTotal?: number;
  /** #13: JS a first visit downloads (gzip KB): login page, then the home page after sign-in (e2e/first-load.ts). */
  webFirstLoad?: {
    adminKb: number;
    adminFiles: number;
    adminChartsKb: number;
    mobileKb: number;
    mobileFiles: number;
    /** #14: first contentful paint of /m/ on slow 4G, nothing cached, and the path it landed on */
    mobileFcpMs?: number;
    mobileFcpMaxMs?: number;
    mobileLanded?: string;
  };
  responsiveness?: {
    coverageRequests: number;
    coverageWallMs: number;
    coverageStatus: Record<string, number>;
    healthSamples: number;
    healthP50: number;
    healthP99: number;
    healthMax: number;
    idleHealthP50: number;
    idleHealthP99: number;
  };
  profile?: string;
};

async function cannon(url: string, duration: number, headers: Record<string, string> = {}): Promise<RouteResult> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration, headers });
  return {
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/** Sequential /api/health probes until stop() is called; returns their latencies in ms. */
function probeHealth(baseUrl: string): { stop: () => Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(`${baseUrl}/api/health`);
      await res.arrayBuffer();
      samples.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples.sort((a, b) => a - b);
    },
  };
}

const COVERAGE_SECONDS = 4;
const COVERAGE_CONCURRENCY = 20;

/** /api/health latency, probed one request at a time, while 20 clients keep GET /api/v1/stats/coverage busy. */
async function responsiveness(
  baseUrl: string,
  countyToken: string,
): Promise<NonNullable<EngineResult['responsiveness']>> {
  const idle = probeHealth(baseUrl);
  await new Promise((r) => setTimeout(r, 2000));
  const idleSamples = await idle.stop();
  const probe = probeHealth(baseUrl);
  await new Promise((r) => setTimeout(r, 200));
  const t = performance.now();
  const until = t + COVERAGE_SECONDS * 1000;
  const status: Record<string, number> = {};
  let done = 0;
  await Promise.all(
    Array.from({ length: COVERAGE_CONCURRENCY }, async () => {
      while (performance.now() < until) {
        const res = await fetch(`${baseUrl}/api/v1/stats/coverage`, {
          headers: { authorization: `Bearer ${countyToken}` },
        });
        await res.arrayBuffer();
        status[res.status] = (status[res.status] ?? 0) + 1;
        done++;
      }
    }),
  );
  const wall = performance.now() - t;
  const samples = await probe.stop();
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    coverageRequests: done,
    coverageWallMs: Math.round(wall),
    coverageStatus: status,
    healthSamples: samples.length,
    healthP50: round(percentile(samples, 50)),
    healthP99: round(percentile(samples, 99)),
    healthMax: round(samples[samples.length - 1] ?? 0),
    idleHealthP50: round(percentile(idleSamples, 50)),
    idleHealthP99: round(percentile(idleSamples, 99)),
  };
}

async function postgresReachable(url: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    const r = await c.query('show server_version');
    return String(r.rows[0].server_version);
  } catch {
    return null;
  } finally {
    await c.end().catch(() => {});
  }
}

async function benchEngine(engine: 'pglite' | 'postgres'): Promise<EngineResult> {
  const dataDir = tempDataDir(`bench-${engine}`);
  const database = engine === 'postgres' ? await createDatabase(ADMIN_URL, 'wenming_bench') : undefined;
  const profDir = path.join(repoRoot, '.tmp', 'bench-prof', engine);
  const execArgv = [...SERVER_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  let server: RunningServer | undefined;
  try {
    log(`\n▶ ${engine}: cold start with demo seed …`);
    server = await startServer({
      dataDir,
      databaseUrl: database?.url,
      env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn' },
      execArgv,
    });
    const coldStartMs = Math.round(server.startMs);
    const afterSeed = procStatus(server.pid).rssKb;
    log(`  ready in ${(coldStartMs / 1000).toFixed(1)} s, RSS ${mb(afterSeed)} MB`);

    const webFirstLoad = engine === 'pglite' ? await measureWebFirstLoad(server.baseUrl) : undefined;

    const token = await login(server.baseUrl, '13800000002');
    const countyToken = await login(server.baseUrl, '13800000001');
    const auth = { authorization: `Bearer ${token}` };
    const first = await fetch(`${server.baseUrl}${SITES_PATH}`, { headers: auth });
    if (!first.ok) throw new Error(`GET ${SITES_PATH}: HTTP ${first.status}`);
    const siteTotal = ((await first.json()) as { total?: number }).total;

    log(`  warm-up ${WARMUP} s per route …`);
    await cannon(`${server.baseUrl}/api/health`, WARMUP);
    await cannon(`${server.baseUrl}${SITES_PATH}`, WARMUP, auth);
    const afterWarmup = procStatus(server.pid).rssKb;

    log(`  GET /api/health, ${CONNECTIONS} connections, ${DURATION} s …`);
    const health = await cannon(`${server.baseUrl}/api/health`, DURATION);
    log(`    ${health.reqPerSec} req/s, p50 ${health.p50} ms, p99 ${health.p99} ms`);
    log(`  GET ${SITES_PATH} as 13800000002, ${CONNECTIONS} connections, ${DURATION} s …`);
    const sites = await cannon(`${server.baseUrl}${SITES_PATH}`, DURATION, auth);
    log(`    ${sites.reqPerSec} req/s, p50 ${sites.p50} ms, p99 ${sites.p99} ms`);
    const afterLoadStatus = procStatus(server.pid);

    let resp: EngineResult['responsiveness'];
    if (engine === 'pglite') {
      log(
        `  responsiveness: /api/health while ${COVERAGE_CONCURRENCY} clients request /api/v1/stats/coverage ` +
          `for ${COVERAGE_SECONDS} s …`,
      );
      resp = await responsiveness(server.baseUrl, countyToken);
      log(
        `    ${resp.coverageRequests} coverage requests in ${resp.coverageWallMs} ms; ` +
          `/api/health p50 ${resp.healthP50} ms, p99 ${resp.healthP99} ms, ` +
          `max ${resp.healthMax} ms (idle p99 ${resp.idleHealthP99} ms)`,
      );
    }
    const peak = Math.max(afterLoadStatus.hwmKb, procStatus(server.pid).hwmKb);
    await server.stop();

    log('  warm start on the same data …');
    server = await startServer({
      dataDir,
      databaseUrl: database?.url,
      env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn', WENMING_LIST_CACHE: '0' },
      execArgv: SERVER_FLAGS,
    });
    const warmStartMs = Math.round(server.startMs);
    await fetch(`${server.baseUrl}${SITES_PATH}`, { headers: auth }).then((r) => r.arrayBuffer());
    const warmRestart = procStatus(server.pid).rssKb;
    log(`    ready in ${(warmStartMs / 1000).toFixed(2)} s, RSS ${mb(warmRestart)} MB`);
    // the list cache (modules/sites/list-cache.ts) is off in this process: the cost of building every page
    log(
      `  GET ${SITES_PATH} with the list cache off (WENMING_LIST_CACHE=0), ${CONNECTIONS} connections, ${DURATION} s …`,
    );
    await cannon(`${server.baseUrl}${SITES_PATH}`, WARMUP, auth);
    const sitesUncached = await cannon(`${server.baseUrl}${SITES_PATH}`, DURATION, auth);
    log(`    ${sitesUncached.reqPerSec} req/s, p50 ${sitesUncached.p50} ms, p99 ${sitesUncached.p99} ms`);
    await server.stop();
    server = undefined;

    let profile: string | undefined;
    if (PROFILE && fs.existsSync(profDir)) {
      profile = fs
        .readdirSync(profDir)
        .map((f) => path.relative(repoRoot, path.join(profDir, f)))
        .join(', ');
    }
    return {
      engine,
      coldStartMs,
      warmStartMs,
      rssMb: {
        afterSeed: mb(afterSeed),
        afterWarmup: mb(afterWarmup),
        afterLoad: mb(afterLoadStatus.rssKb),
        peak: mb(peak),
        warmRestart: mb(warmRestart),
      },
      health,
      sites,
      scopedRatio: Math.round((sites.reqPerSec / health.reqPerSec) * 1000) / 1000,
      sitesUncached,
      uncachedRatio: Math.round((sitesUncached.reqPerSec / health.reqPerSec) * 1000) / 1000,
      siteTotal,
      responsiveness: resp,
      webFirstLoad,
      profile,
    };
  } finally {
    await server?.stop('SIGKILL');
    await database?.drop().catch((e) => log(`  ⚠ could not drop ${database.name}: ${(e as Error).message}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** #13: the web apps' first-load JS, measured in Chromium against the built dist/web (builds nothing). */
async function measureWebFirstLoad(baseUrl: string): Promise<EngineResult['webFirstLoad']> {
  if (!chromiumPath() || !fs.existsSync(path.join(repoRoot, 'dist/web/.vite/manifest.json'))) {
    log('  ⚠ first-load JS not measured: no Chromium or no dist/web build (npm run build:web)');
    return undefined;
  }
  log('  first-load JS of /admin/ and /m/ in Chromium …');
  const browser = await launchBrowser();
  try {
    const admin = await adminFirstLoad(browser, baseUrl);
    const mobile = await mobileFirstLoad(browser, baseUrl);
    // three first visits (the shell paints once the stylesheet is in; the scripts share the throttled line with it)
    const paints = [];
    for (let i = 0; i < 3; i++) paints.push(await mobileFirstPaint(browser, baseUrl));
    const fcps = paints.map((x) => x.fcpMs).sort((a, b) => a - b);
    const r = {
      mobileFcpMs: fcps[1],
      mobileFcpMaxMs: fcps[2],
      mobileLanded: paints[0].landed,
      adminKb: admin.gzipKb,
      adminFiles: admin.scripts.length,
      adminChartsKb: admin.charts.gzipKb,
      mobileKb: mobile.gzipKb,
      mobileFiles: mobile.scripts.length,
    };
    log(
      `    admin ${r.adminKb} KB gzip (${r.adminFiles} files, then charts ${r.adminChartsKb} KB), H5 ${r.mobileKb} KB`,
    );
    log(`    H5 first contentful paint on slow 4G: median ${r.mobileFcpMs} ms of 3 (max ${r.mobileFcpMaxMs})`);
    return r;
  } finally {
    await browser.close();
  }
}

// --- targets (from the issue) ----------------------------------------------------------------------------

type Check = { engine: string; target: string; value: string; pass: boolean; binding: boolean };

function checks(r: EngineResult): Check[] {
  const pgOnly = r.engine === 'postgres';
  const rssLimit = pgOnly ? 200 : 400;
  const rssMax = Math.max(r.rssMb.afterSeed, r.rssMb.afterWarmup, r.rssMb.afterLoad);
  const out: Check[] = [
    {
      engine: r.engine,
      target: 'scoped list ≥ 40 % of the bare route’s req/s',
      value: `${(r.scopedRatio * 100).toFixed(1)} %`,
      pass: r.scopedRatio >= 0.4,
      binding: pgOnly,
    },
    {
      engine: r.engine,
      target: `p99 < 100 ms at ${CONNECTIONS} connections (both routes)`,
      value: `health ${r.health.p99} ms, sites ${r.sites.p99} ms`,
      pass: r.health.p99 < 100 && r.sites.p99 < 100,
      binding: pgOnly,
    },
    {
      engine: r.engine,
      target: `RSS after demo seed < ${rssLimit} MB`,
      value: `${rssMax} MB (max of after seed / warm-up / load)`,
      pass: rssMax < rssLimit,
      binding: true,
    },
    {
      engine: r.engine,
      target: 'warm start < 5 s',
      value: `${(r.warmStartMs / 1000).toFixed(2)} s`,
      pass: r.warmStartMs < 5000,
      binding: true,
    },
    {
      engine: r.engine,
      target: 'no errors or non-2xx under load',
      value: `${r.health.non2xx + r.sites.non2xx} non-2xx, ${r.health.errors + r.sites.errors} errors`,
      pass: r.health.non2xx + r.sites.non2xx + r.health.errors + r.sites.errors === 0,
      binding: true,
    },
  ];
  if (r.sitesUncached && r.uncachedRatio !== undefined) {
    out.push({
      engine: r.engine,
      target:
        'for comparison, not a target: the scoped list with the list cache off (every request builds its page ' +
        'in the database; second server process, same data), as a share of the bare route',
      value:
        `${(r.uncachedRatio * 100).toFixed(1)} % (${r.sitesUncached.reqPerSec} req/s, ` +
        `p99 ${r.sitesUncached.p99} ms, ${r.sitesUncached.non2xx} non-2xx)`,
      pass: r.sitesUncached.non2xx + r.sitesUncached.errors === 0,
      binding: false,
    });
  }
  if (r.webFirstLoad) {
    const w = r.webFirstLoad;
    out.push({
      engine: r.engine,
      target: `#13 admin first-load JS (login + home page, gzip) ≤ ${ADMIN_FIRST_LOAD_BUDGET_KB} KB`,
      value:
        `${w.adminKb} KB in ${w.adminFiles} files (then the chart library ${w.adminChartsKb} KB); ` +
        `H5 /m/ ${w.mobileKb} KB in ${w.mobileFiles} files`,
      pass: w.adminKb <= ADMIN_FIRST_LOAD_BUDGET_KB,
      binding: true,
    });
    out.push({
      engine: r.engine,
      target: `#14 H5 /m/ first load: JS ≤ ${MOBILE_FIRST_LOAD_BUDGET_KB} KB gzip, first contentful paint < ${
        MOBILE_FCP_BUDGET_MS / 1000
      } s on slow 4G (nothing cached)`,
      value: `${w.mobileKb} KB; FCP median of 3 ${w.mobileFcpMs} ms (max ${w.mobileFcpMaxMs} ms)`,
      pass: w.mobileKb <= MOBILE_FIRST_LOAD_BUDGET_KB && (w.mobileFcpMs ?? Infinity) < MOBILE_FCP_BUDGET_MS,
      binding: true,
    });
  }
  if (r.responsiveness) {
    out.push({
      engine: r.engine,
      target:
        `responsive while queries run: /api/health p99 < 100 ms while ${COVERAGE_CONCURRENCY} clients load ` +
        '/api/v1/stats/coverage',
      value: `${r.responsiveness.healthP99} ms`,
      pass: r.responsiveness.healthP99 < 100,
      binding: true,
    });
  }
  return out;
}

// --- issue scenarios (#3 volunteers, #4 service loop) -----------------------------------------------------

type IssueRun = {
  engine: 'pglite' | 'postgres';
  coldStartMs: number;
  rssAfterSeedMb: number;
  loadAverageAtStart: number[];
  volunteers?: VolunteersResult;
  orders?: OrdersResult;
  activities?: ActivitiesResult;
  points?: PointsResult;
  /**
   * #12: the same #4 lifecycles and #5 burst with the statistics capture triggers switched off (after the runs with)
   */
  withoutStats?: { orders?: OrdersResult; activities?: ActivitiesResult };
  /** #12: the same runs with the capture triggers on again after the runs without (with, without, with) */
  withStatsAgain?: { orders?: OrdersResult; activities?: ActivitiesResult };
  error?: string;
  profile?: string;
};

/** Switches the statistics capture triggers (migration 0016) off or on, for the with/without comparison of #12. */
async function statsTriggers(databaseUrl: string, on: boolean) {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query(
      'select tgrelid::regclass::text as t, tgname from pg_trigger ' +
        `where tgname like 'stat_capture_%' and not tgisinternal`,
    );
    for (const r of rows) await c.query(`alter table ${r.t} ${on ? 'enable' : 'disable'} trigger ${r.tgname}`);
  } finally {
    await c.end();
  }
}

/**
 * One more server per engine (fresh data, demo seed, AUTH_RATE_LIMIT raised): the import, the searches, then the order
 * lifecycles.
 */
async function benchIssues(engine: 'pglite' | 'postgres'): Promise<IssueRun> {
  const dataDir = tempDataDir(`bench-issues-${engine}`);
  const database = engine === 'postgres' ? await createDatabase(ADMIN_URL, 'wenming_bench_issues') : undefined;
  const profDir = path.join(repoRoot, '.tmp', 'bench-prof', `issues-${engine}`);
  const execArgv = [...SERVER_FLAGS, ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  let server: RunningServer | undefined;
  const run: IssueRun = { engine, coldStartMs: 0, rssAfterSeedMb: 0, loadAverageAtStart: loadAverage() };
  try {
    log(`\n▶ issues #3/#4 on ${engine}: cold start with demo seed …`);
    server = await startServer({
      dataDir,
      databaseUrl: database?.url,
      env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '100000' },
      execArgv,
    });
    run.coldStartMs = Math.round(server.startMs);
    run.rssAfterSeedMb = mb(procStatus(server.pid).rssKb);
    log(
      `  ready in ${(run.coldStartMs / 1000).toFixed(1)} s, RSS ${run.rssAfterSeedMb} MB, ` +
        `load average ${run.loadAverageAtStart.join(' / ')}`,
    );
    if (SCENARIOS.includes('volunteers'))
      run.volunteers = await benchVolunteers({
        engine,
        baseUrl: server.baseUrl,
        pid: server.pid,
        databaseUrl: database?.url,
      });
    if (SCENARIOS.includes('orders') && database) {
      run.orders = await benchOrders({
        baseUrl: server.baseUrl,
        databaseUrl: database.url,
        connections: CONNECTIONS,
        serverPoolSize: Number(process.env.DATABASE_POOL_SIZE ?? 20),
      });
    }
    if (SCENARIOS.includes('activities') && database) {
      log('\n▶ issue #5 on postgres: sign-up burst, certificates, ledger export …');
      run.activities = await benchActivities(server.baseUrl, database.url, server.pid, CONNECTIONS);
    }
    if (
      (SCENARIOS.includes('stats') || SCENARIOS.includes('stats-writes')) &&
      database &&
      (run.orders || run.activities)
    ) {
      log('\n▶ issue #12: the same lifecycles and burst without the statistics capture triggers …');
      await statsTriggers(database.url, false);
      try {
        run.withoutStats = {};
        if (run.orders)
          run.withoutStats.orders = await benchOrders({
            baseUrl: server.baseUrl,
            databaseUrl: database.url,
            connections: CONNECTIONS,
            serverPoolSize: Number(process.env.DATABASE_POOL_SIZE ?? 20),
          });
        if (run.activities)
          run.withoutStats.activities = await benchActivities(server.baseUrl, database.url, server.pid, CONNECTIONS);
      } finally {
        await statsTriggers(database.url, true);
      }
      // with, without, with: the runs with the capture around the one without, so that neither the warm-up of the
      // first run nor the data the runs add decides the comparison
      log('\n▶ issue #12: the lifecycles and burst with the capture triggers again …');
      run.withStatsAgain = {};
      if (run.orders)
        run.withStatsAgain.orders = await benchOrders({
          baseUrl: server.baseUrl,
          databaseUrl: database.url,
          connections: CONNECTIONS,
          serverPoolSize: Number(process.env.DATABASE_POOL_SIZE ?? 20),
        });
      if (run.activities)
        run.withStatsAgain.activities = await benchActivities(server.baseUrl, database.url, server.pid, CONNECTIONS);
    }
    if (SCENARIOS.includes('points') && database) {
      log('\n▶ issue #6 on postgres: batch award to 10,000 households, balance reads …');
      run.points = await benchPoints(server.baseUrl, database.url);
    }
    await server.stop();
    server = undefined;
    if (PROFILE && fs.existsSync(profDir))
      run.profile = fs
        .readdirSync(profDir)
        .map((f) => path.relative(repoRoot, path.join(profDir, f)))
        .join(', ');
  } catch (e) {
    run.error = (e as Error).message.slice(0, 2000);
    log(`  ✗ ${run.error}`);
  } finally {
    await server?.stop('SIGKILL');
    await database?.drop().catch((e) => log(`  ⚠ could not drop ${database.name}: ${(e as Error).message}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return run;
}

type IssueCheck = { issue: 3 | 4 | 5 | 6; engine: string; target: string; value: string; pass: boolean | null };

function issueChecks(runs: IssueRun[]): IssueCheck[] {
  const out: IssueCheck[] = [];
  for (const r of runs) {
    const v = r.volunteers;
    if (v) {
      const ok = v.import.status === 200;
      out.push({
        issue: 3,
        engine: r.engine,
        target: 'import rows/s ≥ 50 % of direct multi-row INSERTs (ratio ≥ 0.5)',
        value:
          v.ratio === null
            ? 'no direct baseline on this engine'
            : `${v.ratio.toFixed(3)} (${v.import.rowsPerSec} / ${v.direct!.rowsPerSec} rows/s)`,
        pass: v.ratio === null ? null : ok && v.ratio >= 0.5,
      });
      out.push({
        issue: 3,
        engine: r.engine,
        target: `import ≥ 5,000 rows/s (${v.rows.toLocaleString('en')} rows, wall time of the request)`,
        value: `${v.import.rowsPerSec} rows/s (${(v.import.wallMs / 1000).toFixed(1)} s)`,
        pass: ok && v.import.rowsPerSec >= 5000,
      });
      out.push({
        issue: 3,
        engine: r.engine,
        target: 'server RSS growth during the import < 300 MB',
        value: `+${v.import.rssGrowthMb} MB (${v.import.rssBeforeMb} → ${v.import.rssPeakMb} MB)`,
        pass: v.import.rssGrowthMb < 300,
      });
      const a = v.import.answer;
      out.push({
        issue: 3,
        engine: r.engine,
        target: 'every generated row imported (all rows valid)',
        value: ok ? `${a.imported} imported, ${a.merged} merged, ${a.failed} failed of ${a.total}` : `${a.error}`,
        pass: ok && a.failed === 0 && (a.imported ?? 0) + (a.merged ?? 0) === v.rows,
      });
      out.push({
        issue: 3,
        engine: r.engine,
        target:
          `search p50 < 20 ms (${v.search.requests} sequential mixed ` +
          `queries, ${v.search.countyVolunteers.toLocaleString('en')} volunteers)`,
        value: `p50 ${v.search.all.p50} ms, p99 ${v.search.all.p99} ms`,
        pass: v.search.non2xx === 0 && v.search.all.p50 < 20,
      });
    }
    const o = r.orders;
    if (o) {
      out.push({
        issue: 4,
        engine: r.engine,
        target: 'HTTP lifecycles/s ≥ 50 % of the same transactions direct (ratio ≥ 0.5)',
        value:
          o.ratio === null
            ? 'n/a'
            : `${o.ratio.toFixed(3)} (${o.http.lifecyclesPerSec} / ${o.direct!.lifecyclesPerSec} per s)`,
        pass: o.ratio === null ? null : o.ratio >= 0.5,
      });
      const worst = STEPS.reduce((a, k) => Math.max(a, o.http.steps[k].p99), 0);
      out.push({
        issue: 4,
        engine: r.engine,
        target: `p99 of each HTTP request < 100 ms at ${o.connections} connections`,
        value: STEPS.map((k) => `${k} ${o.http.steps[k].p99}`).join(', ') + ' ms',
        pass: worst < 100,
      });
      out.push({
        issue: 4,
        engine: r.engine,
        target: 'no errors in the lifecycles',
        value: `${o.http.errors} HTTP, ${o.direct?.errors ?? 0} direct`,
        pass: o.http.errors === 0 && (o.direct?.errors ?? 0) === 0,
      });
    }
    const a = r.activities;
    if (a) {
      out.push({
        issue: 5,
        engine: r.engine,
        target:
          `${a.signups.requests} sign-ups for 50 seats: exactly 50 confirmed, ` +
          'the rest waitlisted in arrival order, no 5xx',
        value:
          `${a.signups.confirmed} confirmed, ${a.signups.waitlisted} waitlisted, ` +
          `FIFO ${a.signups.fifo ? 'yes' : 'no'}, statuses ${JSON.stringify(a.signups.statuses)}`,
        pass: a.signups.exact && a.signups.fifo,
      });
      out.push({
        issue: 5,
        engine: r.engine,
        target: 'sign-up throughput as a ratio to the bare route (same sockets, same count)',
        value: `${a.ratio.toFixed(3)} (${a.signups.perSec} / ${a.health.perSec} req/s)`,
        pass: null,
      });
      out.push({
        issue: 5,
        engine: r.engine,
        target: `sign-up p99 < 100 ms at ${a.connections} connections`,
        value: `p50 ${a.signups.latency.p50} ms, p99 ${a.signups.latency.p99} ms`,
        pass: a.signups.latency.p99 < 100,
      });
      if (a.warmup)
        out.push({
          issue: 5,
          engine: r.engine,
          target:
            `the cold burst before it (warm-up: ${a.warmup.requests} sign-ups for another activity, ` +
            'first requests of the route in this process)',
          value:
            `${a.warmup.perSec} req/s, p50 ${a.warmup.latency.p50} ms, p99 ${a.warmup.latency.p99} ms, ` +
            `statuses ${JSON.stringify(a.warmup.statuses)}`,
          pass: null,
        });
      out.push({
        issue: 5,
        engine: r.engine,
        target: 'certificates per second (issue + PDF, 4 sockets)',
        value:
          `${a.certificates.perSec}/s (${a.certificates.count} ` +
          `in ${(a.certificates.wallMs / 1000).toFixed(1)} s, PDF ≤ ${Math.round(a.certificates.pdfBytes / 1024)} ` +
          `KB${a.certificates.errors ? `, ${a.certificates.errors} errors: ${a.certificates.firstError}` : ''})`,
        pass: a.certificates.errors === 0 ? null : false,
      });
      out.push({
        issue: 5,
        engine: r.engine,
        target: `${a.ledger.rows.toLocaleString('en')}-row hours ledger export: server RSS growth < 100 MB`,
        value:
          `+${a.ledger.rssGrowthMb} MB (${a.ledger.rssBeforeMb} ` +
          `→ ${a.ledger.rssPeakMb} MB), ${(a.ledger.bytes / 1024 / 1024).toFixed(1)} MB ` +
          `in ${(a.ledger.wallMs / 1000).toFixed(1)} s, HTTP ${a.ledger.status}`,
        pass: a.ledger.status === 200 && a.ledger.rssGrowthMb < 100,
      });
    }
    const pt = r.points;
    if (pt) {
      out.push({
        issue: 6,
        engine: r.engine,
        target:
          `batch award to ${pt.households.toLocaleString('en')} households: ` +
          'movements/s as a ratio to one direct multi-row INSERT',
        value:
          `${pt.ratio.toFixed(3)} (${pt.award.steadyPerSec} / ${pt.direct.perSec} movements/s; first award incl. ` +
          `opening the accounts ${pt.award.firstPerSec}/s)`,
        pass: null,
      });
      out.push({
        issue: 6,
        engine: r.engine,
        target: 'the same idempotency key again changes nothing',
        value: `posted ${pt.award.repeat.posted}, skipped ${pt.award.repeat.skipped}`,
        pass: pt.award.repeat.posted === 0,
      });
      out.push({
        issue: 6,
        engine: r.engine,
        target: 'balance read p50 (GET /points/accounts/household/:id, sequential)',
        value: `p50 ${pt.balanceRead.p50} ms, p99 ${pt.balanceRead.p99} ms`,
        pass: null,
      });
      out.push({
        issue: 6,
        engine: r.engine,
        target: 'points-verify after the awards',
        value: pt.verify.ok
          ? `ok (${pt.verify.accounts} accounts, ${pt.verify.movements} movements)`
          : `${pt.verify.problems} problems`,
        pass: pt.verify.ok,
      });
    }
    if (r.error)
      out.push({
        issue: r.volunteers ? 4 : 3,
        engine: r.engine,
        target: 'scenario ran to the end',
        value: r.error.split('\n')[0].slice(0, 200),
        pass: false,
      });
  }
  return out;
}

const mark = (p: boolean | null) => (p === null ? '–' : p ? '✓' : '✗');

function issueMarkdown(runs: IssueRun[], checksList: IssueCheck[]): string[] {
  const lines: string[] = [];
  const vol = runs.filter((r) => r.volunteers);
  if (vol.length) {
    lines.push('## Issue #3 — volunteer import and pinyin search', '');
    lines.push(
      'A fresh server per engine (demo county seeded, then the scenarios of issues #3 and #4 in this order). ' +
        'The import file is',
      'the downloaded template (GET /api/v1/volunteers/import/template) filled with generated people: ' +
        'Chinese names, valid and unique',
      'GB 11643 ID numbers of county 411523 (adults), unique phones, real village codes ' +
        'from GET /api/v1/regions?parent=<town>,',
      'categories, skills and the other optional columns. It is POSTed once (sync form) ' +
        'as the county admin 13800000001; RSS is the',
      `server's VmRSS sampled every 100 ms. The baseline inserts the same rows, precomputed (pinyin keys, ` +
        'placeholder hash/cipher',
      `strings), with one multi-row INSERT per 1,000 rows from the bench process via pg into a scratch table created`,
      '`LIKE volunteers INCLUDING ALL` in the same database, right after the import.',
      '',
    );
    for (const r of vol) {
      const v = r.volunteers!;
      const a = v.import.answer;
      lines.push(`### ${r.engine === 'pglite' ? 'Embedded PGlite' : 'PostgreSQL'}`, '');
      lines.push(
        `Load average when this server started: ${r.loadAverageAtStart.join(' / ')}; ` +
          `after the searches: ${v.loadAverageAfter.join(' / ')}.`,
        '',
      );
      lines.push('| measure | value |', '|---|---:|');
      lines.push(
        `| rows in the file / file size | ${v.rows.toLocaleString('en')} ` +
          `/ ${(v.fileBytes / 1024 / 1024).toFixed(2)} MB (${v.villages} villages) |`,
      );
      lines.push(`| import: wall time of POST /api/v1/volunteers/import | ${(v.import.wallMs / 1000).toFixed(1)} s |`);
      lines.push(`| import: rows/s | **${v.import.rowsPerSec}** |`);
      const answer =
        v.import.status === 200
          ? `total ${a.total}, imported ${a.imported}, merged ${a.merged}, failed ${a.failed}`
          : a.error;
      lines.push(`| import: answer | ${answer} |`);
      lines.push(
        `| server RSS before / peak / after | ${v.import.rssBeforeMb} / ${v.import.rssPeakMb} ` +
          `/ ${v.import.rssAfterMb} MB (${v.import.rssSamples} samples) |`,
      );
      lines.push(`| server RSS growth (peak − before) | **+${v.import.rssGrowthMb} MB** |`);
      if (v.direct) {
        lines.push(
          `| direct: ${v.direct.batches} multi-row INSERTs of 1,000 rows ` +
            `| ${(v.direct.wallMs / 1000).toFixed(2)} s = ${v.direct.rowsPerSec} rows/s |`,
        );
        lines.push(`| import / direct rows/s | **${v.ratio!.toFixed(3)}** |`);
      }
      lines.push('');
      lines.push(
        `Search: ${v.search.requests} sequential GET /api/v1/volunteers?q=…&page=1&pageSize=20 as the county ` +
          'admin, the three kinds in turn',
        `(after 9 warm-up requests), over ${v.search.countyVolunteers.toLocaleString('en')} volunteers in the county.`,
        '',
      );
      lines.push(
        '| queries | n | p50 ms | p90 ms | p99 ms | max ms | mean matches (total) |',
        '|---|---:|---:|---:|---:|---:|---:|',
      );
      for (const k of ['initials', 'pinyin', 'chinese'] as const) {
        const x = v.search.byKind[k];
        lines.push(
          `| ${k === 'initials' ? 'initials' : k === 'pinyin' ? 'pinyin prefix' : 'Chinese name part'} ` +
            `(${x.queries.join(', ')}) | ${x.n} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.meanTotal} |`,
        );
      }
      lines.push(
        `| **all** | ${v.search.all.n} | **${v.search.all.p50}** | ${v.search.all.p90} | ` +
          `**${v.search.all.p99}** | ${v.search.all.max} | |`,
        '',
      );
    }
    lines.push('Targets (issue #3):', '', '| engine | target | measured | |', '|---|---|---|:-:|');
    for (const c of checksList.filter((x) => x.issue === 3))
      lines.push(`| ${c.engine} | ${c.target} | ${c.value} | ${mark(c.pass)} |`);
    lines.push('');
  }
  const ord = runs.filter((r) => r.orders);
  if (ord.length) {
    lines.push('## Issue #4 — service loop (order lifecycles)', '');
    for (const r of ord) {
      const o = r.orders!;
      lines.push(
        `PostgreSQL, the same server as issue #3 (after the import). ${o.connections} concurrent workers, ` +
          'each running whole lifecycles one after',
        'another: create (resident 13800000007) → dispatch to a volunteer (新集镇 admin 13800000002) ' +
          '→ accept → complete (volunteer',
        `13800000005) → rate 5 (resident); service item “${o.serviceItem.name}” (no extra fields). ` +
          'One keep-alive socket per worker, one login per',
        `account. ${o.warmupS} s warm-up, then ${o.durationS} s (lifecycles in flight at the end are finished ` +
          'and counted). The server runs with its',
        `default pg pool of ${o.serverPoolSize} connections. The direct run executes the five write ` +
          'transactions of the server (conditional',
        `\`UPDATE orders … WHERE id = $1 AND state = $2\`, order_events insert, ` +
          'the audit hash-chain append — head row bumped and locked',
        'until commit, on a chain of its own —, notifications insert) as SQL ' +
          `from the bench process on a pg Pool of ${o.connections}, same workers and`,
        `seconds, after the HTTP run. Load average after both: ${o.loadAverageAfter.join(' / ')}.`,
        '',
      );
      lines.push(
        '| request | HTTP n | HTTP p50 ms | HTTP p90 ms | HTTP p99 ms | HTTP max ms | errors | direct tx ' +
          'p50 ms | direct tx p99 ms |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      );
      for (const k of STEPS) {
        const h = o.http.steps[k];
        const d = o.direct?.steps[k];
        lines.push(
          `| ${k} | ${h.n} | ${h.p50} | ${h.p90} | ${h.p99} | ${h.max} | ${h.errors} | ${d?.p50 ?? '–'} ` +
            `| ${d?.p99 ?? '–'} |`,
        );
      }
      lines.push('');
      lines.push('| measure | value |', '|---|---:|');
      lines.push(
        `| HTTP: lifecycles in ${(o.http.wallMs / 1000).toFixed(1)} s | ${o.http.lifecycles} = ` +
          `**${o.http.lifecyclesPerSec}/s** (${o.http.requestsPerSec} req/s) |`,
      );
      if (o.direct) {
        lines.push(
          `| direct: lifecycles in ${(o.direct.wallMs / 1000).toFixed(1)} s | ${o.direct.lifecycles} = ` +
            `**${o.direct.lifecyclesPerSec}/s** |`,
        );
        lines.push(`| HTTP / direct | **${o.ratio === null ? 'n/a' : o.ratio.toFixed(3)}** |`);
      }
      for (const e of o.http.firstErrors) lines.push(`| first HTTP errors | ${e.replaceAll('|', '\\|')} |`);
      lines.push('');
    }
    lines.push('Targets (issue #4):', '', '| engine | target | measured | |', '|---|---|---|:-:|');
    for (const c of checksList.filter((x) => x.issue === 4))
      lines.push(`| ${c.engine} | ${c.target} | ${c.value} | ${mark(c.pass)} |`);
    lines.push('');
  }
  for (const [issue, title] of [
    [5, 'Issue #5 — activities (sign-up burst, certificates, ledger export)'],
    [6, 'Issue #6 — points (batch award, balance reads)'],
  ] as const) {
    const list = checksList.filter((x) => x.issue === issue);
    if (!list.length) continue;
    lines.push(
      `## ${title}`,
      '',
      issue === 5
        ? 'PostgreSQL, the same server after the scenarios above. 2,000 volunteers with sessions are written ' +
            'into the database, then each sends one POST /activities/:id/signups over 32 keep-alive sockets to one ' +
            'activity with 50 seats, after a warm-up of 300 other volunteers signing up the same way for another ' +
            'activity (a fresh process compiles the route and prepares its statements ' +
            'on each pool connection during its first few hundred requests; ' +
            'the figures of the warm-up are in the table); GET /api/health is ' +
            'then driven the same way the same number of times. Certificates: ' +
            'POST /certificates + GET /certificates/:id/pdf for the volunteers with most hours. Ledger: ' +
            '100,000 hours rows for one village and month, exported while the server RSS is sampled every 50 ms.'
        : 'PostgreSQL, the same server. 10,000 households are written into the database; ' +
            'POST /points/awards awards all of them (first call also opens their accounts; ' +
            'the second call is measured), then the second key is repeated. Direct: ' +
            'the same 10,000 movements as one multi-row INSERT in a rolled-back transaction. Balance reads: ' +
            '300 sequential account reads as the county admin.',
      '',
    );
    lines.push('| engine | target | measured | |', '|---|---|---|:-:|');
    for (const c of list) lines.push(`| ${c.engine} | ${c.target} | ${c.value} | ${mark(c.pass)} |`);
    lines.push('');
  }
  for (const r of runs.filter((x) => x.error))
    lines.push(`> issue scenarios on ${r.engine} stopped: ${r.error!.split('\n')[0]}`, '');
  return lines;
}

// --- issue #11: every hot list ----------------------------------------------------------------------------

type ListCheck = { list: ListName; target: string; value: string; pass: boolean | null };
const pct = (a: number, b: number) => (b ? (a / b) * 100 : 0);

function listChecks(r: ListsResult): ListCheck[] {
  const out: ListCheck[] = [];
  for (const name of Object.keys(LIST_PATHS) as ListName[]) {
    const x = r.cached.lists[name];
    const h = r.cached.health[name];
    const off = r.uncached.lists[name];
    const ho = r.uncached.health[name];
    const ratio = pct(x.reqPerSec, h.reqPerSec);
    out.push({
      list: name,
      target: `≥ 40 % of the bare route's req/s and p99 < 100 ms at ${r.connections} connections (cache on), no errors`,
      value:
        `${ratio.toFixed(1)} % (${x.reqPerSec} / ${h.reqPerSec} req/s), ` +
        `p99 ${x.p99} ms${x.non2xx + x.errors ? `, ${x.non2xx} non-2xx, ${x.errors} errors` : ''}`,
      pass: ratio >= 40 && x.p99 < 100 && x.non2xx + x.errors === 0,
    });
    out.push({
      list: name,
      target: 'for comparison, not a target: list cache off (second server process, same data)',
      value:
        `${pct(off.reqPerSec, ho.reqPerSec).toFixed(1)} % (${off.reqPerSec} / ${ho.reqPerSec} req/s), ` +
        `p99 ${off.p99} ms`,
      pass: null,
    });
  }
  return out;
}

function listsMarkdown(r: ListsResult): string[] {
  const lines: string[] = ['## Issue #11 — every hot list (town-scoped first pages at 20,000 volunteers)', ''];
  lines.push(
    'PostgreSQL, a server of its own: demo county seeded, then grown by SQL ' +
      `in ${(r.generateMs / 1000).toFixed(1)} s to the rows below (1 in 16`,
    `in 新集镇; every other list in proportion to the demo's volunteers), \`ANALYZE\`d, server restarted. ` +
      `Each list's first page`,
    `(\`page=1&pageSize=20\`) as the 新集镇 institute admin (13800000002), ${r.connections} ` +
      `connections, ${r.warmupS} s warm-up then ${r.durationS} s, against`,
    'GET /api/health measured in the same process right before it (the pair gives the ratio: ' +
      'the machine is shared and its load moves).',
    `Then the same on a second process with WENMING_LIST_CACHE=0 (every request`,
    `builds its page: count and page queries). Load average before / after: ${r.loadAverageBefore.join(' / ')} ` +
      `→ ${r.loadAverageAfter.join(' / ')}.`,
    '',
    '| list | rows in county | in scope | cache on req/s | bare req/s | % of bare | p50 ms | p99 ms | bare ' +
      'p99 ms | cache off req/s | bare req/s | % of bare | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const name of Object.keys(LIST_PATHS) as ListName[]) {
    const x = r.cached.lists[name];
    const h = r.cached.health[name];
    const o = r.uncached.lists[name];
    const ho = r.uncached.health[name];
    const rows = r.rows[name];
    lines.push(
      `| \`GET ${LIST_PATHS[name].replace('?page=1&pageSize=20', '')}\` | ${rows.county.toLocaleString('en')} ` +
        `| ${rows.scoped.toLocaleString('en')} | ${x.reqPerSec} | ${h.reqPerSec} | ` +
        `**${pct(x.reqPerSec, h.reqPerSec).toFixed(1)}** | ${x.p50} | **${x.p99}** | ${h.p99} | ${o.reqPerSec} ` +
        `| ${ho.reqPerSec} | ${pct(o.reqPerSec, ho.reqPerSec).toFixed(1)} | ${o.p99} |`,
    );
  }
  lines.push('', 'Targets (issue #11):', '', '| list | target | measured | |', '|---|---|---|:-:|');
  for (const c of listChecks(r)) lines.push(`| ${c.list} | ${c.target} | ${c.value} | ${mark(c.pass)} |`);
  lines.push('');
  return lines;
}

type StatsCheck = { target: string; value: string; pass: boolean | null };

/** #12: the overview at 10× the demo, its ratio to raw aggregation, the annual report, and the rollups' write cost. */
function statsChecks(r: StatsBenchResult | undefined, issues: IssueRun[]): StatsCheck[] {
  const out: StatsCheck[] = [];
  if (r) {
    const o = r.overview['county, this year'];
    out.push({
      target: 'overview p50 < 50 ms on PostgreSQL (county, this year, 10× the demo)',
      value: `p50 ${o.p50.toFixed(1)} ms, p99 ${o.p99.toFixed(1)} ms${o.errors ? `, ${o.errors} errors` : ''}`,
      pass: o.p50 < 50 && o.errors === 0,
    });
    for (const [name, x] of Object.entries(r.overview).filter(([n]) => n !== 'county, this year' && n !== BUILT))
      out.push({
        target: `overview ${name}: p50 < 50 ms`,
        value: `p50 ${x.p50.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms`,
        pass: x.p50 < 50 && x.errors === 0,
      });
    const b = r.overview[BUILT];
    if (b)
      out.push({
        target:
          `for comparison, not a target: overview ${BUILT} (from the rollups, nothing kept) ` +
          'and its ratio to the raw aggregation',
        value: `p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms; ${(r.raw.p50 / b.p50).toFixed(1)}×`,
        pass: b.errors ? false : null,
      });
    out.push({
      target: 'overview ≥ 20× faster than aggregating the raw tables for the same figures (same run)',
      value: `${r.ratio}× (raw p50 ${r.raw.p50.toFixed(0)} ms vs ${o.p50.toFixed(1)} ms)`,
      pass: r.ratio >= 20,
    });
    const worst = Math.max(r.report.json.max, r.report.docx.max);
    out.push({
      target: 'annual report (county, this year) in under 2 s, JSON and Word',
      value:
        `JSON p50 ${r.report.json.p50.toFixed(0)} ms, Word p50 ${r.report.docx.p50.toFixed(0)} ms, ` +
        `slowest ${worst.toFixed(0)} ms`,
      pass: worst < 2000 && r.report.errors === 0,
    });
    out.push({
      target: 'stats-verify after the rebuild: rollups equal the figures recomputed from the rows',
      value:
        `${r.differences} differences (rebuild ${(r.rebuildMs / 1000).toFixed(1)} s, ` +
        `verify ${(r.verifyMs / 1000).toFixed(1)} s)`,
      pass: r.differences === 0,
    });
  }
  const run = issues.find((i) => i.engine === 'postgres');
  // "with" is the mean of the runs before and after the one without (with, without, with)
  const mean = (xs: (number | undefined)[]) => {
    const ns = xs.filter((x): x is number => typeof x === 'number');
    return ns.length ? Math.round((ns.reduce((s, x) => s + x, 0) / ns.length) * 10) / 10 : NaN;
  };
  const w = run?.orders;
  const w2 = run?.withStatsAgain?.orders;
  const wo = run?.withoutStats?.orders;
  if (w && wo) {
    const withHttp = mean([w.http.lifecyclesPerSec, w2?.http.lifecyclesPerSec]);
    const http = withHttp / wo.http.lifecyclesPerSec;
    const withDirect = mean([w.direct?.lifecyclesPerSec, w2?.direct?.lifecyclesPerSec]);
    const direct = wo.direct ? withDirect / wo.direct.lifecyclesPerSec : NaN;
    const runs = (a?: number, b?: number) => (b === undefined ? `${a}` : `(${a} + ${b}) / 2`);
    out.push({
      target: 'order lifecycles slowed by the rollups by at most 10 % (#4, with ÷ without capture triggers)',
      value:
        `HTTP ${runs(w.http.lifecyclesPerSec, w2?.http.lifecyclesPerSec)} / ${wo.http.lifecyclesPerSec} per s ` +
        `= ${(http * 100).toFixed(1)} %` +
        (Number.isNaN(direct)
          ? ''
          : `; direct ${runs(w.direct?.lifecyclesPerSec, w2?.direct?.lifecyclesPerSec)} / ` +
            `${wo.direct!.lifecyclesPerSec} = ${(direct * 100).toFixed(1)} %`),
      pass: http >= 0.9,
    });
  }
  const a = run?.activities;
  const a2 = run?.withStatsAgain?.activities;
  const ao = run?.withoutStats?.activities;
  if (a && ao) {
    const ratio = mean([a.signups.perSec, a2?.signups.perSec]) / ao.signups.perSec;
    const runs = a2 ? `(${a.signups.perSec} + ${a2.signups.perSec}) / 2` : `${a.signups.perSec}`;
    out.push({
      target: 'sign-up burst slowed by the rollups by at most 10 % (#5, with ÷ without capture triggers)',
      value:
        `${runs} / ${ao.signups.perSec} req/s = ${(ratio * 100).toFixed(1)} % ` +
        `(p99 ${a.signups.latency.p99.toFixed(1)} vs ${ao.signups.latency.p99.toFixed(1)} ms)`,
      pass: ratio >= 0.9,
    });
  }
  return out;
}

function statsMarkdown(r: StatsBenchResult | undefined, checks: StatsCheck[]): string[] {
  if (!r && !checks.length) return [];
  const lines: string[] = ['## Issue #12 — statistics at 10× the demo', ''];
  if (r) {
    lines.push(
      'PostgreSQL, a server of its own: demo county seeded, then grown by SQL (triggers off) ' +
        `in ${(r.generateMs / 1000).toFixed(1)} s to`,
      `${Object.entries(r.rows)
        .map(([t, n]) => `${n.toLocaleString('en')} ${t}`)
        .join(', ')}; the rollups rebuilt from the rows`,
      `(\`rebuildStats\`: ${r.rebuildDeltas.toLocaleString('en')} deltas folded ` +
        `in ${(r.rebuildMs / 1000).toFixed(1)} s) and verified (${(r.verifyMs / 1000).toFixed(1)} s). ` +
        'Requests one at a time as the',
      'county admin (13800000001), after 5 unmeasured; the raw aggregation is the `stat_contributions` view ' +
        '(every row of every',
      'source table through its contribution function) summed for the same region and period, ' +
        'plus the active volunteers from',
      'the hours ledger, in the same database.',
      '',
      '| overview | p50 ms | p90 ms | p99 ms | max ms | n |',
      '|---|---:|---:|---:|---:|---:|',
      ...Object.entries(r.overview).map(
        ([n, x]) =>
          `| ${n} | ${x.p50.toFixed(1)} | ${x.p90.toFixed(1)} | ${x.p99.toFixed(1)} | ${x.max.toFixed(1)} | ${x.n} |`,
      ),
      `| raw aggregation, county this year | ${r.raw.p50.toFixed(0)} | ${r.raw.p90.toFixed(0)} ` +
        `| ${r.raw.p99.toFixed(0)} | ${r.raw.max.toFixed(0)} | ${r.raw.n} |`,
      `| annual report JSON | ${r.report.json.p50.toFixed(0)} | ${r.report.json.p90.toFixed(0)} ` +
        `| ${r.report.json.p99.toFixed(0)} | ${r.report.json.max.toFixed(0)} | ${r.report.json.n} |`,
      `| annual report Word | ${r.report.docx.p50.toFixed(0)} | ${r.report.docx.p90.toFixed(0)} ` +
        `| ${r.report.docx.p99.toFixed(0)} | ${r.report.docx.max.toFixed(0)} | ${r.report.docx.n} |`,
      '',
    );
  }
  lines.push(
    'The write cost: the #4 lifecycles and the #5 burst above ran with the capture triggers (the deployed ' +
      'default), then',
    'again on the same server with them switched off (`ALTER TABLE … DISABLE TRIGGER stat_capture_*`), then with ' +
      'them on again;',
    '"with" is the mean of the two runs around the one without (with, without, with).',
    '',
    'Targets (issue #12):',
    '',
    '| target | measured | |',
    '|---|---|:-:|',
  );
  for (const c of checks) lines.push(`| ${c.target} | ${c.value} | ${mark(c.pass)} |`);
  lines.push('');
  return lines;
}

// --- report ----------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function markdown(results: {
  date: string;
  machine: ReturnType<typeof machine>;
  settings: object;
  postgresVersion: string | null;
  skipped: string[];
  engines: EngineResult[];
  checks: Check[];
  issues?: IssueRun[];
  lists?: ListsResult;
  stats?: StatsBenchResult;
  statsChecks?: StatsCheck[];
}): string {
  const m = results.machine;
  const st = results.settings as { connections: number; durationS: number; warmupS: number };
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run.ts) — do not edit by hand; raw numbers in `bench/results/latest.json`.',
    '',
    `Run ${results.date} on ${m.nproc} CPU cores (${m.cpuModel}), ${m.memoryGb} GB memory, Node ${m.node}, ${m.os}.`,
    `Load average when the run started: ${m.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min); ` +
      'anything above ~0.5 means other work shared the cores.',
    'The server runs as a child process ' +
      `(\`node ${((results.settings as { serverFlags?: string[] }).serverFlags ?? []).join(' ')} ` +
      `dist/server/main.mjs\` — the bundle scripts/build-server.mjs compiles — as \`npm start\` runs it; ` +
      'LOG_LEVEL=warn, fresh data, demo county seeded);',
    `autocannon runs in the bench process on the same machine, so client and server share the ${m.nproc} cores.`,
    `${st.connections} connections, ${st.warmupS} s warm-up then ${st.durationS} s per route. The scoped route is`,
    '`GET /api/v1/sites?page=1&pageSize=20` as the 新集镇 institute admin (13800000002, region-scoped);',
    'the bare route is `GET /api/health`.',
    '',
  ];
  if (results.postgresVersion) lines.push(`PostgreSQL: ${results.postgresVersion} on 127.0.0.1 (same machine).`, '');
  for (const s of results.skipped) lines.push(`> ${s}`, '');
  for (const c of (results as { carriedOver?: string[] }).carriedOver ?? [])
    lines.push(`> Partial run (BENCH_SCENARIOS): ${c}.`, '');
  for (const r of results.engines) {
    lines.push(`## ${r.engine === 'pglite' ? 'Embedded PGlite' : 'PostgreSQL'}`, '');
    lines.push(
      '| route | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | non-2xx |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    const routes: [string, RouteResult][] = [
      ['GET /api/health (bare)', r.health],
      [`GET ${SITES_PATH} (scoped)`, r.sites],
    ];
    if (r.sitesUncached)
      routes.push([`GET ${SITES_PATH} (scoped, list cache off: second process, for comparison)`, r.sitesUncached]);
    for (const [name, x] of routes) {
      lines.push(
        `| ${name} | ${x.reqPerSec} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.requests} ` +
          `| ${x.non2xx + x.errors} |`,
      );
    }
    lines.push(
      '',
      `Scoped / bare req/s: **${(r.scopedRatio * 100).toFixed(1)} %**` +
        (r.siteTotal !== undefined ? ` (the scoped list has ${r.siteTotal} sites in scope)` : '') +
        '.' +
        (r.uncachedRatio !== undefined
          ? ' With the list cache off (WENMING_LIST_CACHE=0; each request builds its page in the database ' +
            `instead of checking the cached page's version): ${(r.uncachedRatio * 100).toFixed(1)} %.`
          : ''),
      '',
    );
    lines.push('| measure | value |', '|---|---:|');
    lines.push(`| RSS after demo seed | ${r.rssMb.afterSeed} MB |`);
    lines.push(`| RSS after warm-up | ${r.rssMb.afterWarmup} MB |`);
    lines.push(`| RSS after load | ${r.rssMb.afterLoad} MB |`);
    lines.push(`| peak RSS (VmHWM, includes the seed) | ${r.rssMb.peak} MB |`);
    lines.push(`| RSS after warm restart + one request | ${r.rssMb.warmRestart} MB |`);
    lines.push(`| cold start (empty data → migrate → seed → listening) | ${(r.coldStartMs / 1000).toFixed(1)} s |`);
    lines.push(`| warm start (existing data → /api/health answers) | ${(r.warmStartMs / 1000).toFixed(2)} s |`);
    if (r.responsiveness) {
      const x = r.responsiveness;
      lines.push(
        `| GET /api/v1/stats/coverage (county admin) by ${COVERAGE_CONCURRENCY} concurrent clients ` +
          `| ${x.coverageRequests} requests in ${x.coverageWallMs} ms ` +
          `(${Math.round((x.coverageRequests * 1000) / x.coverageWallMs)} req/s) |`,
      );
      lines.push(
        `| /api/health during them: p50 / p99 / max (${x.healthSamples} sequential probes) ` +
          `| ${x.healthP50} / ${x.healthP99} / ${x.healthMax} ms |`,
      );
      lines.push(`| /api/health idle: p50 / p99 | ${x.idleHealthP50} / ${x.idleHealthP99} ms |`);
    }
    lines.push('');
  }
  lines.push(
    '## Targets',
    '',
    'From the issue. On PostgreSQL all targets bind; on PGlite the throughput targets are recorded (marked ' +
      '*info*) and RSS, warm start and responsiveness bind.',
    '',
  );
  lines.push('| engine | target | measured | |', '|---|---|---|:-:|');
  for (const c of results.checks)
    lines.push(`| ${c.engine} | ${c.target} | ${c.value} | ${c.pass ? '✓' : '✗'}${c.binding ? '' : ' *info*'} |`);
  lines.push('');
  if (results.issues?.length) lines.push(...issueMarkdown(results.issues, issueChecks(results.issues)));
  if (results.lists) lines.push(...listsMarkdown(results.lists));
  lines.push(...statsMarkdown(results.stats, results.statsChecks ?? []));
  // Hand-written analysis of the run (profiles, what dominates) lives in bench/NOTES.md and is appended as is.
  const notes = path.join(repoRoot, 'bench', 'NOTES.md');
  if (fs.existsSync(notes)) lines.push(fs.readFileSync(notes, 'utf8').trim(), '');
  return lines.join('\n');
}

async function main() {
  if (process.argv.includes('--report')) {
    // Regenerate docs/BENCHMARKS.md from the last results (e.g. after editing bench/NOTES.md), without measuring.
    const last = JSON.parse(fs.readFileSync(path.join(repoRoot, 'bench', 'results', 'latest.json'), 'utf8'));
    fs.writeFileSync(path.join(repoRoot, 'docs', 'BENCHMARKS.md'), markdown(last));
    log('rewrote docs/BENCHMARKS.md from bench/results/latest.json');
    return;
  }
  const results = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: {
      connections: CONNECTIONS,
      durationS: DURATION,
      warmupS: WARMUP,
      scopedPath: SITES_PATH,
      scopedUser: '13800000002',
      serverFlags: SERVER_FLAGS,
    },
    postgresVersion: null as string | null,
    skipped: [] as string[],
    engines: [] as EngineResult[],
    checks: [] as Check[],
    issues: [] as IssueRun[],
    issueChecks: [] as IssueCheck[],
    carriedOver: [] as string[],
    lists: undefined as ListsResult | undefined,
    listChecks: [] as ListCheck[],
    stats: undefined as StatsBenchResult | undefined,
    statsChecks: [] as StatsCheck[],
  };
  log(
    `bench: ${results.machine.nproc} cores, ${results.machine.memoryGb} GB, Node ${results.machine.node}, ` +
      `load average ${results.machine.loadAverageAtStart.join(' / ')}`,
  );
  const latestPath = path.join(repoRoot, 'bench', 'results', 'latest.json');
  const previous = fs.existsSync(latestPath) ? JSON.parse(fs.readFileSync(latestPath, 'utf8')) : null;
  for (const engine of SCENARIOS.includes('foundation') ? ENGINES : []) {
    if (engine === 'postgres') {
      results.postgresVersion = await postgresReachable(ADMIN_URL);
      if (!results.postgresVersion) {
        const msg =
          `PostgreSQL skipped: ${ADMIN_URL.replace(/\/\/[^@]*@/, '//…@')} is not reachable (set ` +
          'BENCH_DATABASE_URL).';
        log(`\n⚠ ${msg}`);
        results.skipped.push(msg);
        continue;
      }
      results.engines.push(await benchEngine('postgres'));
    } else if (engine === 'pglite') {
      results.engines.push(await benchEngine('pglite'));
    }
  }
  const issueScenarios = ['volunteers', 'orders', 'activities', 'points'].some((s) => SCENARIOS.includes(s));
  if (issueScenarios) {
    results.postgresVersion ??= await postgresReachable(ADMIN_URL);
    for (const engine of ISSUE_ENGINES) {
      if (engine === 'postgres' && !results.postgresVersion) {
        results.skipped.push(
          'Issue scenarios on PostgreSQL skipped: the server is not reachable (set BENCH_DATABASE_URL).',
        );
        continue;
      }
      if (engine === 'postgres' || engine === 'pglite') results.issues.push(await benchIssues(engine));
    }
  }
  if (SCENARIOS.includes('lists')) {
    results.postgresVersion ??= await postgresReachable(ADMIN_URL);
    if (!results.postgresVersion)
      results.skipped.push('#11 lists skipped: PostgreSQL is not reachable (set BENCH_DATABASE_URL).');
    else {
      const dataDir = tempDataDir('bench-lists');
      const database = await createDatabase(ADMIN_URL, 'wenming_bench_lists');
      try {
        results.lists = await benchLists({
          dataDir,
          databaseUrl: database.url,
          execArgv: SERVER_FLAGS,
          connections: CONNECTIONS,
          durationS: DURATION,
          warmupS: WARMUP,
        });
      } finally {
        await database.drop().catch((e) => log(`  ⚠ could not drop ${database.name}: ${(e as Error).message}`));
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } else if (previous?.lists) {
    results.lists = previous.lists;
    results.carriedOver.push(`#11 lists from the run of ${previous.date}`);
  }
  if (SCENARIOS.includes('stats')) {
    results.postgresVersion ??= await postgresReachable(ADMIN_URL);
    if (!results.postgresVersion)
      results.skipped.push('#12 statistics skipped: PostgreSQL is not reachable (set BENCH_DATABASE_URL).');
    else {
      const dataDir = tempDataDir('bench-stats');
      const database = await createDatabase(ADMIN_URL, 'wenming_bench_stats');
      try {
        results.stats = await benchStats({ dataDir, databaseUrl: database.url, execArgv: SERVER_FLAGS });
      } catch (e) {
        log(`  ✗ #12 statistics: ${(e as Error).message.slice(0, 2000)}`);
        results.skipped.push(`#12 statistics failed: ${(e as Error).message.slice(0, 300)}`);
      } finally {
        await database.drop().catch((e) => log(`  ⚠ could not drop ${database.name}: ${(e as Error).message}`));
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } else if (previous?.stats) {
    results.stats = previous.stats;
    results.carriedOver.push(`#12 statistics from the run of ${previous.date}`);
  }
  // a partial run (BENCH_SCENARIOS) keeps the other parts of the previous results, saying so
  if (!SCENARIOS.includes('foundation') && previous?.engines) {
    Object.assign(results, {
      engines: previous.engines,
      postgresVersion: results.postgresVersion ?? previous.postgresVersion,
    });
    results.carriedOver.push(`foundation from the run of ${previous.date}`);
  }
  if (!issueScenarios && previous?.issues) {
    results.issues = previous.issues;
    results.carriedOver.push(`issue scenarios from the run of ${previous.date}`);
  }
  results.checks = results.engines.flatMap(checks);
  results.issueChecks = issueChecks(results.issues);
  results.listChecks = results.lists ? listChecks(results.lists) : [];
  results.statsChecks = statsChecks(results.stats, results.issues);
  // BENCH_OUT=dir writes the results there instead (a trial run that must not replace the published ones)
  const outDir = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(repoRoot, 'bench', 'results');
  const docsDir = process.env.BENCH_OUT ? outDir : path.join(repoRoot, 'docs');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  fs.mkdirSync(docsDir, { recursive: true });
  fs.writeFileSync(path.join(docsDir, 'BENCHMARKS.md'), markdown(results));
  log('\nTargets:');
  for (const c of results.checks)
    log(`  ${c.pass ? '✓' : '✗'} ${c.engine}: ${c.target} — ${c.value}${c.binding ? '' : ' (info)'}`);
  for (const c of results.issueChecks) log(`  ${mark(c.pass)} #${c.issue} ${c.engine}: ${c.target} — ${c.value}`);
  for (const c of results.listChecks) log(`  ${mark(c.pass)} #11 ${c.list}: ${c.target} — ${c.value}`);
  for (const c of results.statsChecks) log(`  ${mark(c.pass)} #12: ${c.target} — ${c.value}`);
  log(
    `\nwrote ${path.relative(repoRoot, path.join(outDir, 'latest.json'))} ` +
      `and ${path.relative(repoRoot, path.join(docsDir, 'BENCHMARKS.md'))}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
