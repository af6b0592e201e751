/**
 * `npm run bench`: starts the real server as a child process (fresh data, demo county seeded) on embedded
 * PGlite and then on PostgreSQL, and measures with autocannon, in the same run:
 *   - the bare route GET /api/health and the scoped paged list GET /api/v1/sites?page=1&pageSize=20
 *     as the 新集镇 institute admin (13800000002): req/s, p50, p99 and the scoped/bare ratio;
 *   - the server's RSS (VmRSS of the child) after the seed, after the warm-up and after the load;
 *   - warm start (second start on the existing data until /api/health answers);
 *   - on PGlite, responsiveness: /api/health latency while 20 GET /api/v1/stats/coverage run at once.
 * Writes bench/results/latest.json and regenerates docs/BENCHMARKS.md.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (32), BENCH_ENGINES
 * (pglite,postgres), BENCH_DATABASE_URL (admin URL; default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_PROFILE=1 (write a --cpu-prof profile of the server to .tmp/bench-prof/).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { createDatabase, repoRoot, startServer, tempDataDir, type RunningServer } from '../e2e/server.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ENGINES = (process.env.BENCH_ENGINES ?? 'pglite,postgres').split(',').map((s) => s.trim());
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROFILE = process.env.BENCH_PROFILE === '1';
const PASSWORD = 'Demo@2026';
const SITES_PATH = '/api/v1/sites?page=1&pageSize=20';

type RouteResult = { reqPerSec: number; p50: number; p90: number; p99: number; max: number; requests: number; non2xx: number; errors: number; timeouts: number };
type EngineResult = {
  engine: 'pglite' | 'postgres';
  coldStartMs: number;
  warmStartMs: number;
  rssMb: { afterSeed: number; afterWarmup: number; afterLoad: number; peak: number; warmRestart: number };
  health: RouteResult;
  sites: RouteResult;
  scopedRatio: number;
  siteTotal?: number;
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

const log = (s: string) => console.log(s);
const mb = (kb: number) => Math.round(kb / 1024);

function procStatus(pid: number): { rssKb: number; hwmKb: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

async function login(baseUrl: string, phone: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${phone}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login ${phone}: no token in the answer`);
  return body.token;
}

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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
async function responsiveness(baseUrl: string, countyToken: string): Promise<NonNullable<EngineResult['responsiveness']>> {
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
        const res = await fetch(`${baseUrl}/api/v1/stats/coverage`, { headers: { authorization: `Bearer ${countyToken}` } });
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
  const execArgv = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  let server: RunningServer | undefined;
  try {
    log(`\n▶ ${engine}: cold start with demo seed …`);
    server = await startServer({ dataDir, databaseUrl: database?.url, env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn' }, execArgv });
    const coldStartMs = Math.round(server.startMs);
    const afterSeed = procStatus(server.pid).rssKb;
    log(`  ready in ${(coldStartMs / 1000).toFixed(1)} s, RSS ${mb(afterSeed)} MB`);

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
      log(`  responsiveness: /api/health while ${COVERAGE_CONCURRENCY} clients request /api/v1/stats/coverage for ${COVERAGE_SECONDS} s …`);
      resp = await responsiveness(server.baseUrl, countyToken);
      log(`    ${resp.coverageRequests} coverage requests in ${resp.coverageWallMs} ms; /api/health p50 ${resp.healthP50} ms, p99 ${resp.healthP99} ms, max ${resp.healthMax} ms (idle p99 ${resp.idleHealthP99} ms)`);
    }
    const peak = Math.max(afterLoadStatus.hwmKb, procStatus(server.pid).hwmKb);
    await server.stop();

    log('  warm start on the same data …');
    server = await startServer({ dataDir, databaseUrl: database?.url, env: { WENMING_DEMO: '1', LOG_LEVEL: 'warn' } });
    const warmStartMs = Math.round(server.startMs);
    await fetch(`${server.baseUrl}${SITES_PATH}`, { headers: auth }).then((r) => r.arrayBuffer());
    const warmRestart = procStatus(server.pid).rssKb;
    log(`    ready in ${(warmStartMs / 1000).toFixed(2)} s, RSS ${mb(warmRestart)} MB`);
    await server.stop();
    server = undefined;

    let profile: string | undefined;
    if (PROFILE && fs.existsSync(profDir)) {
      profile = fs.readdirSync(profDir).map((f) => path.relative(repoRoot, path.join(profDir, f))).join(', ');
    }
    return {
      engine,
      coldStartMs,
      warmStartMs,
      rssMb: { afterSeed: mb(afterSeed), afterWarmup: mb(afterWarmup), afterLoad: mb(afterLoadStatus.rssKb), peak: mb(peak), warmRestart: mb(warmRestart) },
      health,
      sites,
      scopedRatio: Math.round((sites.reqPerSec / health.reqPerSec) * 1000) / 1000,
      siteTotal,
      responsiveness: resp,
      profile,
    };
  } finally {
    await server?.stop('SIGKILL');
    await database?.drop().catch((e) => log(`  ⚠ could not drop ${database.name}: ${(e as Error).message}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- targets (from the issue) ----------------------------------------------------------------------------

type Check = { engine: string; target: string; value: string; pass: boolean; binding: boolean };

function checks(r: EngineResult): Check[] {
  const pgOnly = r.engine === 'postgres';
  const rssLimit = pgOnly ? 200 : 400;
  const rssMax = Math.max(r.rssMb.afterSeed, r.rssMb.afterWarmup, r.rssMb.afterLoad);
  const out: Check[] = [
    { engine: r.engine, target: 'scoped list ≥ 40 % of the bare route’s req/s', value: `${(r.scopedRatio * 100).toFixed(1)} %`, pass: r.scopedRatio >= 0.4, binding: pgOnly },
    { engine: r.engine, target: `p99 < 100 ms at ${CONNECTIONS} connections (both routes)`, value: `health ${r.health.p99} ms, sites ${r.sites.p99} ms`, pass: r.health.p99 < 100 && r.sites.p99 < 100, binding: pgOnly },
    { engine: r.engine, target: `RSS after demo seed < ${rssLimit} MB`, value: `${rssMax} MB (max of after seed / warm-up / load)`, pass: rssMax < rssLimit, binding: true },
    { engine: r.engine, target: 'warm start < 5 s', value: `${(r.warmStartMs / 1000).toFixed(2)} s`, pass: r.warmStartMs < 5000, binding: true },
    { engine: r.engine, target: 'no errors or non-2xx under load', value: `${r.health.non2xx + r.sites.non2xx} non-2xx, ${r.health.errors + r.sites.errors} errors`, pass: r.health.non2xx + r.sites.non2xx + r.health.errors + r.sites.errors === 0, binding: true },
  ];
  if (r.responsiveness) {
    out.push({ engine: r.engine, target: `responsive while queries run: /api/health p99 < 100 ms while ${COVERAGE_CONCURRENCY} clients load /api/v1/stats/coverage`, value: `${r.responsiveness.healthP99} ms`, pass: r.responsiveness.healthP99 < 100, binding: true });
  }
  return out;
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

function markdown(results: { date: string; machine: ReturnType<typeof machine>; settings: object; postgresVersion: string | null; skipped: string[]; engines: EngineResult[]; checks: Check[] }): string {
  const m = results.machine;
  const st = results.settings as { connections: number; durationS: number; warmupS: number };
  const lines: string[] = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run.ts) — do not edit by hand; raw numbers in `bench/results/latest.json`.',
    '',
    `Run ${results.date} on ${m.nproc} CPU cores (${m.cpuModel}), ${m.memoryGb} GB memory, Node ${m.node}, ${m.os}.`,
    `Load average when the run started: ${m.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min); anything above ~0.5 means other work shared the cores.`,
    `The server runs as a child process (\`node --import tsx server/main.ts\`, LOG_LEVEL=warn, fresh data, demo county seeded);`,
    `autocannon runs in the bench process on the same machine, so client and server share the ${m.nproc} cores.`,
    `${st.connections} connections, ${st.warmupS} s warm-up then ${st.durationS} s per route. The scoped route is`,
    '`GET /api/v1/sites?page=1&pageSize=20` as the 新集镇 institute admin (13800000002, region-scoped);',
    'the bare route is `GET /api/health`.',
    '',
  ];
  if (results.postgresVersion) lines.push(`PostgreSQL: ${results.postgresVersion} on 127.0.0.1 (same machine).`, '');
  for (const s of results.skipped) lines.push(`> ${s}`, '');
  for (const r of results.engines) {
    lines.push(`## ${r.engine === 'pglite' ? 'Embedded PGlite' : 'PostgreSQL'}`, '');
    lines.push('| route | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | non-2xx |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [name, x] of [['GET /api/health (bare)', r.health], [`GET ${SITES_PATH} (scoped)`, r.sites]] as const) {
      lines.push(`| ${name} | ${x.reqPerSec} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.requests} | ${x.non2xx + x.errors} |`);
    }
    lines.push('', `Scoped / bare req/s: **${(r.scopedRatio * 100).toFixed(1)} %**${r.siteTotal !== undefined ? ` (the scoped list has ${r.siteTotal} sites in scope)` : ''}.`, '');
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
      lines.push(`| GET /api/v1/stats/coverage (county admin) by ${COVERAGE_CONCURRENCY} concurrent clients | ${x.coverageRequests} requests in ${x.coverageWallMs} ms (${Math.round((x.coverageRequests * 1000) / x.coverageWallMs)} req/s) |`);
      lines.push(`| /api/health during them: p50 / p99 / max (${x.healthSamples} sequential probes) | ${x.healthP50} / ${x.healthP99} / ${x.healthMax} ms |`);
      lines.push(`| /api/health idle: p50 / p99 | ${x.idleHealthP50} / ${x.idleHealthP99} ms |`);
    }
    lines.push('');
  }
  lines.push('## Targets', '', 'From the issue. On PostgreSQL all targets bind; on PGlite the throughput targets are recorded (marked *info*) and RSS, warm start and responsiveness bind.', '');
  lines.push('| engine | target | measured | |', '|---|---|---|:-:|');
  for (const c of results.checks) lines.push(`| ${c.engine} | ${c.target} | ${c.value} | ${c.pass ? '✓' : '✗'}${c.binding ? '' : ' *info*'} |`);
  lines.push('');
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
    settings: { connections: CONNECTIONS, durationS: DURATION, warmupS: WARMUP, scopedPath: SITES_PATH, scopedUser: '13800000002' },
    postgresVersion: null as string | null,
    skipped: [] as string[],
    engines: [] as EngineResult[],
    checks: [] as Check[],
  };
  log(`bench: ${results.machine.nproc} cores, ${results.machine.memoryGb} GB, Node ${results.machine.node}`);
  for (const engine of ENGINES) {
    if (engine === 'postgres') {
      results.postgresVersion = await postgresReachable(ADMIN_URL);
      if (!results.postgresVersion) {
        const msg = `PostgreSQL skipped: ${ADMIN_URL.replace(/\/\/[^@]*@/, '//…@')} is not reachable (set BENCH_DATABASE_URL).`;
        log(`\n⚠ ${msg}`);
        results.skipped.push(msg);
        continue;
      }
      results.engines.push(await benchEngine('postgres'));
    } else if (engine === 'pglite') {
      results.engines.push(await benchEngine('pglite'));
    }
  }
  results.checks = results.engines.flatMap(checks);
  const outDir = path.join(repoRoot, 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  fs.mkdirSync(path.join(repoRoot, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, 'docs', 'BENCHMARKS.md'), markdown(results));
  log('\nTargets:');
  for (const c of results.checks) log(`  ${c.pass ? '✓' : '✗'} ${c.engine}: ${c.target} — ${c.value}${c.binding ? '' : ' (info)'}`);
  log(`\nwrote bench/results/latest.json and docs/BENCHMARKS.md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
