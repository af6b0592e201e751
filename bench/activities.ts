/**
 * Issue #5 (activities, hours, certificates), on a running server backed by PostgreSQL (demo county seeded):
 *   1. Sign-up burst: 2,000 volunteers (users, roles, volunteer rows and sessions written straight into the
 *      database so that 2,000 scrypt logins do not dominate the run) each send POST /activities/:id/signups once
 *      to one activity with 50 seats, over CONNECTIONS keep-alive sockets. Outcome checked exactly (50 confirmed,
 *      1,950 waitlisted in arrival order, no 5xx), throughput (req/s) and p50/p99; the bare route GET /api/health
 *      is driven the same way, the same number of times, right after: the ratio is signups/s ÷ health/s.
 *      Before the burst, WARMUP other volunteers sign up for another activity the same way (reported as the cold
 *      burst): the first few hundred requests of a route in a fresh process pay for JIT compilation, the pool's
 *      connections preparing their statements and PostgreSQL's per-backend catalog caches (the first 250 of a cold
 *      burst: p99 ~150 ms; every later 250: p99 30–55 ms), which a county's server meets once after a restart, not
 *      at every rush for seats; the warm-up's own figures are kept beside the measured ones.
 *   2. Certificates: CERT_COUNT × (POST /certificates + GET /certificates/:id/pdf) for volunteers with hours, over
 *      4 sockets: certificates per second (issue + PDF) and the PDF size.
 *   3. Ledger export: LEDGER_ROWS hours entries for one village and month inserted straight into the ledger, then
 *      GET /ledgers/hours?regionCode=&month= streamed to /dev/null while the server's RSS is sampled: rows, seconds,
 *      bytes, RSS before and peak during (growth).
 */
import http from 'node:http';
import crypto from 'node:crypto';
import pg from 'pg';
import { api, latency, log, login, mb, round1, sampleRss, procStatus, type Latency } from './lib.js';

const SIGNUPS = Number(process.env.BENCH_SIGNUPS ?? 2000);
const SEATS = 50;
/** Sign-ups sent to another activity first, so that the measured burst meets a warm server (see below). */
const WARMUP = Number(process.env.BENCH_SIGNUP_WARMUP ?? 300);
const CERT_COUNT = Number(process.env.BENCH_CERTIFICATES ?? 60);
const LEDGER_ROWS = Number(process.env.BENCH_LEDGER_ROWS ?? 100_000);

export type ActivitiesResult = {
  connections: number;
  signups: {
    requests: number;
    wallMs: number;
    perSec: number;
    latency: Latency;
    confirmed: number;
    waitlisted: number;
    fifo: boolean;
    statuses: Record<string, number>;
    exact: boolean;
  };
  /** the cold burst before the measured one: WARMUP sign-ups for another activity with 50 seats */
  warmup: { requests: number; perSec: number; latency: Latency; statuses: Record<string, number> };
  health: { requests: number; wallMs: number; perSec: number; latency: Latency };
  ratio: number;
  certificates: {
    count: number;
    wallMs: number;
    perSec: number;
    issue: Latency;
    pdf: Latency;
    pdfBytes: number;
    errors: number;
    firstError?: string;
  };
  ledger: {
    rows: number;
    wallMs: number;
    bytes: number;
    status: number;
    rssBeforeMb: number;
    rssPeakMb: number;
    rssGrowthMb: number;
  };
};

type Call = (
  method: string,
  path: string,
  token: string,
  body?: unknown,
) => Promise<{ status: number; body: string; bytes: number }>;

function client(baseUrl: string, sockets: number, keepBody = true): { call: Call; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  const call: Call = (method, path, token, body) =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          path,
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (d: Buffer) => {
            bytes += d.length;
            if (keepBody) chunks.push(d);
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: keepBody ? Buffer.concat(chunks).toString('utf8') : '',
              bytes,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { call, close: () => agent.destroy() };
}

/** Runs `jobs` with `workers` concurrent workers; returns per-job latencies and the wall time. */
async function drive(
  workers: number,
  jobs: number,
  job: (i: number) => Promise<void>,
): Promise<{ samples: number[]; wallMs: number }> {
  const samples: number[] = new Array(jobs);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < jobs; i = next++) {
        const t = performance.now();
        await job(i);
        samples[i] = performance.now() - t;
      }
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** 2,000 volunteers of one village with sessions, written in a few multi-row statements. */
async function benchVolunteers(
  pool: pg.Pool,
  county: string,
  village: { code: string; path: string },
  n: number,
): Promise<{ tokens: string[]; volunteerIds: string[] }> {
  const tokens: string[] = [];
  const volunteerIds: string[] = [];
  // volunteer numbers of this call's volunteers (a second run on the same database takes new ones)
  const runTag = `B${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (let start = 0; start < n; start += 500) {
      const count = Math.min(500, n - start);
      const idx = Array.from({ length: count }, (_, k) => start + k);
      const userIds = idx.map(() => crypto.randomUUID());
      const vIds = idx.map(() => crypto.randomUUID());
      const toks = idx.map(() => crypto.randomBytes(24).toString('base64url'));
      await client.query(
        `insert into users (id, county_code, name, phone_hash, phone_enc, phone_masked, password_hash, region_code)
         select u, $1, '压测志愿者' || i, 'bench-phone-' || u, 'x', '199****' || lpad(i::text, 4, '0'), 'bench-no-login', $2
         from unnest($3::uuid[], $4::int[]) as t(u, i)`,
        [county, village.code, userIds, idx],
      );
      await client.query(
        'insert into role_assignments (user_id, role_code, region_code, scope) ' +
          `select u, 'volunteer', $1, 'self' from unnest($2::uuid[]) as t(u)`,
        [village.code, userIds],
      );
      await client.query(
        `insert into volunteers (id, county_code, region_code, region_path, user_id, volunteer_no, name,
          name_pinyin, name_initials, gender, birth_date, id_hash, id_enc, id_masked, source, verified)
         select v, $1, $2, $3, u, $7 || lpad(i::text, 6, '0'), '压测志愿者' || i, 'yacezhiyuanzhe', 'yczyz',
           'female', '1990-01-01', 'bench-id-' || v, 'x', '4115**********0000', 'staff', true
         from unnest($4::uuid[], $5::uuid[], $6::int[]) as t(v, u, i)`,
        [county, village.code, village.path, vIds, userIds, idx, runTag],
      );
      await client.query(
        `insert into sessions (token_hash, user_id, csrf_token) select h, u, 'bench' ` +
          'from unnest($1::text[], $2::uuid[]) as t(h, u)',
        [toks.map(sha256), userIds],
      );
      tokens.push(...toks);
      volunteerIds.push(...vIds);
    }
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  } finally {
    client.release();
  }
  return { tokens, volunteerIds };
}

export async function benchActivities(
  baseUrl: string,
  databaseUrl: string,
  serverPid: number,
  connections: number,
): Promise<ActivitiesResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const { call, close } = client(baseUrl, connections);
  try {
    const admin = await login(baseUrl, '13800000001');
    const {
      rows: [town],
    } = await pool.query(
      `select code, path, county_code from regions where level = 'town' and name like '新集%' limit 1`,
    );
    const {
      rows: [village],
    } = await pool.query(`select code, path from regions where parent_code = $1 order by code limit 1`, [town.code]);
    const county = town.county_code as string;

    // 1. sign-up burst
    log(`  #5 sign-ups: preparing ${SIGNUPS} volunteers with sessions…`);
    const { tokens: all } = await benchVolunteers(pool, county, village, WARMUP + SIGNUPS);
    const warmTokens = all.slice(0, WARMUP);
    const tokens = all.slice(WARMUP);
    const start = new Date(Date.now() + 3 * 86400_000);
    const newActivity = async (title: string) => {
      const a = await api<{ id: string }>(baseUrl, admin, 'POST', '/api/v1/activities', {
        title,
        type: 'volunteer_service',
        regionCode: village.code,
        startAt: start.toISOString(),
        endAt: new Date(start.getTime() + 3 * 3600_000).toISOString(),
        quota: SEATS,
        address: '村文化广场',
      });
      await api(baseUrl, admin, 'POST', `/api/v1/activities/${a.id}/publish`, {});
      return a;
    };
    const warmAct = await newActivity('压测：报名预热');
    const act = await newActivity('压测：报名高峰');
    const warmStatuses: Record<string, number> = {};
    log(`  #5 sign-ups: warm-up, ${WARMUP} requests for another activity…`);
    const warm = await drive(connections, WARMUP, async (i) => {
      const res = await call('POST', `/api/v1/activities/${warmAct.id}/signups`, warmTokens[i], {});
      warmStatuses[res.status] = (warmStatuses[res.status] ?? 0) + 1;
    });
    const statuses: Record<string, number> = {};
    const arrival: { i: number; doneAt: number; status: string; position?: number }[] = [];
    log(`  #5 sign-ups: ${SIGNUPS} requests for ${SEATS} seats over ${connections} connections…`);
    const burst = await drive(connections, SIGNUPS, async (i) => {
      const res = await call('POST', `/api/v1/activities/${act.id}/signups`, tokens[i], {});
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const b =
        res.status === 201
          ? (JSON.parse(res.body) as { status: string; position?: number })
          : { status: `http ${res.status}` };
      arrival.push({ i, doneAt: performance.now(), status: b.status, position: (b as { position?: number }).position });
    });
    const detail = await api<{ confirmedCount: number; waitlistCount: number }>(
      baseUrl,
      admin,
      'GET',
      `/api/v1/activities/${act.id}`,
    );
    const { rows: order } = await pool.query(
      `select status, seq from activity_signups where activity_id = $1 and status = 'waitlisted' order by seq`,
      [act.id],
    );
    const positions = arrival
      .filter((a) => a.status === 'waitlisted')
      .map((a) => a.position ?? 0)
      .sort((a, b) => a - b);
    const fifo = positions.length === order.length && positions.every((p, k) => p === k + 1);
    const confirmed = arrival.filter((a) => a.status === 'confirmed').length;
    const waitlisted = arrival.filter((a) => a.status === 'waitlisted').length;
    const exact =
      confirmed === SEATS &&
      waitlisted === SIGNUPS - SEATS &&
      detail.confirmedCount === SEATS &&
      detail.waitlistCount === SIGNUPS - SEATS &&
      (statuses['201'] ?? 0) === SIGNUPS;

    const healthRun = await drive(connections, SIGNUPS, async () => {
      await call('GET', '/api/health', '');
    });
    const signupsPerSec = SIGNUPS / (burst.wallMs / 1000);
    const healthPerSec = SIGNUPS / (healthRun.wallMs / 1000);

    // 2. certificates for volunteers with hours in the demo data
    const { rows: withHours } = await pool.query(
      'select volunteer_id from hours_entries where county_code = $1 group by volunteer_id ' +
        'having sum(hours) > 5 order by sum(hours) desc limit $2',
      [county, CERT_COUNT],
    );
    const from = `${new Date().getUTCFullYear() - 1}-01-01`;
    // today in China, as the ledger dates service
    const to = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const issue: number[] = [];
    const pdf: number[] = [];
    let pdfBytes = 0;
    let errors = 0;
    let firstError: string | undefined;
    const certClient = client(baseUrl, 4, false);
    const certRun = await drive(4, withHours.length, async (i) => {
      let t = performance.now();
      const res = await call('POST', '/api/v1/certificates', admin, {
        volunteerId: withHours[i].volunteer_id,
        from,
        to,
      });
      issue.push(performance.now() - t);
      if (res.status !== 201) {
        errors++;
        firstError ??= `${res.status} ${res.body.slice(0, 200)}`;
        return;
      }
      const { id } = JSON.parse(res.body) as { id: string };
      t = performance.now();
      const p = await certClient.call('GET', `/api/v1/certificates/${id}/pdf`, admin);
      pdf.push(performance.now() - t);
      if (p.status !== 200) {
        errors++;
        firstError ??= `pdf ${p.status}`;
        return;
      }
      pdfBytes = Math.max(pdfBytes, p.bytes);
    });
    certClient.close();

    // 3. a 100,000-row hours ledger for one village and month, exported while RSS is sampled
    const month = '2020-06';
    log(`  #5 ledger: inserting ${LEDGER_ROWS} hours entries for ${village.code} ${month}…`);
    const { rows: vs } = await pool.query(`select id from volunteers where region_path like $1 limit 200`, [
      `${village.path}%`,
    ]);
    await pool.query(
      `insert into hours_entries (county_code, region_path, volunteer_id, kind, hours, service_date,
        description, created_at)
       select $1, $2, ($3::uuid[])[1 + (g % array_length($3::uuid[], 1))], 'correction', 1 + (g % 7) * 0.5,
         date '2020-06-01' + (g % 30), '压测台账行 ' || g, now()
       from generate_series(1, $4::int) g`,
      [county, village.path, vs.map((v) => v.id), LEDGER_ROWS],
    );
    const ledgerClient = client(baseUrl, 1, false);
    const before = procStatus(serverPid).rssKb;
    const rss = sampleRss(serverPid, 50);
    const t0 = performance.now();
    const led = await ledgerClient.call(
      'GET',
      `/api/v1/ledgers/hours?regionCode=${village.code}&month=${month}`,
      admin,
    );
    const ledgerMs = performance.now() - t0;
    const peak = Math.max(...rss.stop());
    ledgerClient.close();

    return {
      connections,
      warmup: {
        requests: WARMUP,
        perSec: Math.round(WARMUP / (warm.wallMs / 1000)),
        latency: latency(warm.samples),
        statuses: warmStatuses,
      },
      signups: {
        requests: SIGNUPS,
        wallMs: Math.round(burst.wallMs),
        perSec: Math.round(signupsPerSec),
        latency: latency(burst.samples),
        confirmed,
        waitlisted,
        fifo,
        statuses,
        exact,
      },
      health: {
        requests: SIGNUPS,
        wallMs: Math.round(healthRun.wallMs),
        perSec: Math.round(healthPerSec),
        latency: latency(healthRun.samples),
      },
      ratio: Math.round((signupsPerSec / healthPerSec) * 1000) / 1000,
      certificates: {
        count: withHours.length - errors,
        wallMs: Math.round(certRun.wallMs),
        perSec: round1((withHours.length - errors) / (certRun.wallMs / 1000)),
        issue: latency(issue),
        pdf: latency(pdf),
        pdfBytes,
        errors,
        firstError,
      },
      ledger: {
        rows: LEDGER_ROWS,
        wallMs: Math.round(ledgerMs),
        bytes: led.bytes,
        status: led.status,
        rssBeforeMb: mb(before),
        rssPeakMb: mb(peak),
        rssGrowthMb: mb(peak - before),
      },
    };
  } finally {
    close();
    await pool.end();
  }
}
