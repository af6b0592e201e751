/**
 * Issue #4 (service loop): full order lifecycles per second over HTTP and directly against PostgreSQL.
 *
 * Called by bench/run.ts with a running server on PostgreSQL (demo county seeded; AUTH_RATE_LIMIT raised).
 *   People: each of the CONNECTIONS workers is one resident and one volunteer of its own — as in a county, where
 *   32 simultaneous orders are 32 different households served by 32 different volunteers — minted straight into the
 *   database before the run (users, role_assignments, a verified volunteer row, sessions with sha256 token hashes,
 *   like bench/activities.ts) in the village of the demo resident 13800000007 (新集镇). One dispatcher serves them
 *   all: 13800000002 (新集镇 admin). (Until 2026-11-25 all workers were 13800000007 and 13800000005: every complete
 *   then queued on that one volunteer's row, which crediting hours locks — a workload no county has.)
 *   HTTP: CONNECTIONS workers (keep-alive, one socket each), each running lifecycles one after another:
 *     create   its resident                    POST /api/v1/orders { serviceItemId, description }
 *     dispatch 13800000002 (新集镇 admin)       POST /api/v1/orders/:id/dispatch
 *                                              { target: { type: 'volunteer', id: its volunteer } }
 *     accept   its volunteer                   POST /api/v1/orders/:id/accept {}
 *     complete its volunteer                   POST /api/v1/orders/:id/complete { summary: '完成', hours: 1 }
 *     rate     its resident                    POST /api/v1/orders/:id/rate { score: 5 }
 *   for a warm-up, then for ORDERS_DURATION seconds; lifecycles/s and p50/p99 per request type.
 *   Direct: the same five write transactions as SQL from this process on a pg Pool of CONNECTIONS, for the same
 *   people (worker i of the direct run is worker i's resident and volunteer), in the same tables (orders,
 *   order_events, notifications, the audit hash chain of audit_heads/audit_events — lanes of a chain name of its own,
 *   one audit statement per event as the server appends it), the same number of workers and seconds.
 */
import http from 'node:http';
import crypto from 'node:crypto';
import pg from 'pg';
import { latency, loadAverage, log, login, round1, type Latency } from './lib.js';
import { auditChain } from '../server/platform/audit.js';

export const ORDERS_DURATION = Number(process.env.BENCH_ORDERS_DURATION ?? 15);
export const ORDERS_WARMUP = Number(process.env.BENCH_ORDERS_WARMUP ?? 3);
const RESIDENT = '13800000007';
const DISPATCHER = '13800000002';

export const STEPS = ['create', 'dispatch', 'accept', 'complete', 'rate'] as const;
export type Step = (typeof STEPS)[number];
export type OrdersResult = {
  connections: number;
  durationS: number;
  warmupS: number;
  serviceItem: { id: string; name: string };
  serverPoolSize: number;
  http: {
    lifecycles: number;
    wallMs: number;
    lifecyclesPerSec: number;
    requestsPerSec: number;
    steps: Record<Step, Latency & { errors: number }>;
    errors: number;
    firstErrors: string[];
  };
  direct: {
    lifecycles: number;
    wallMs: number;
    lifecyclesPerSec: number;
    steps: Record<Step, Latency>;
    errors: number;
    firstErrors: string[];
  } | null;
  ratio: number | null;
  loadAverageAfter: number[];
};

// --- HTTP --------------------------------------------------------------------------------------------------

type Client = (
  method: string,
  path: string,
  token: string,
  body?: unknown,
) => Promise<{ status: number; body: string }>;

function client(baseUrl: string, sockets: number): { call: Client; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  const call: Client = (method, path, token, body) =>
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
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  return { call, close: () => agent.destroy() };
}

/** One worker's people: its own resident and its own volunteer (tokens for HTTP, ids and names for the direct run). */
type Pair = {
  resident: string;
  residentId: string;
  residentName: string;
  volunteer: string;
  volunteerUserId: string;
  volunteerId: string;
  volunteerName: string;
};
type Setup = { dispatcher: string; pairs: Pair[]; itemId: string; itemName: string; regionCode: string };

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** `n` residents and `n` verified volunteers of one village, with sessions, in one transaction. */
async function mintPairs(
  pool: pg.Pool,
  county: string,
  village: { code: string; path: string },
  n: number,
): Promise<Pair[]> {
  const tag = crypto.randomBytes(3).toString('hex');
  const idx = Array.from({ length: n }, (_, i) => i);
  const residentIds = idx.map(() => crypto.randomUUID());
  const volunteerUserIds = idx.map(() => crypto.randomUUID());
  const volunteerIds = idx.map(() => crypto.randomUUID());
  const residentTokens = idx.map(() => crypto.randomBytes(24).toString('base64url'));
  const volunteerTokens = idx.map(() => crypto.randomBytes(24).toString('base64url'));
  const c = await pool.connect();
  try {
    await c.query('begin');
    await c.query(
      `insert into users (id, county_code, name, phone_hash, phone_enc, phone_masked, password_hash, region_code)
       select u, $1, case when r then '压测群众' else '压测志愿者' end || i, 'bench-phone-' || u, 'x',
         '199****' || lpad(i::text, 4, '0'), 'bench-no-login', $2
       from unnest($3::uuid[], $4::int[], $5::bool[]) as t(u, i, r)`,
      [
        county,
        village.code,
        [...residentIds, ...volunteerUserIds],
        [...idx, ...idx],
        [...idx.map(() => true), ...idx.map(() => false)],
      ],
    );
    await c.query(
      `insert into role_assignments (user_id, role_code, region_code, scope) select u, 'resident', $1, 'self' ` +
        'from unnest($2::uuid[]) as t(u)',
      [village.code, residentIds],
    );
    await c.query(
      `insert into role_assignments (user_id, role_code, region_code, scope) select u, 'volunteer', $1, 'self' ` +
        'from unnest($2::uuid[]) as t(u)',
      [village.code, volunteerUserIds],
    );
    await c.query(
      `insert into volunteers (id, county_code, region_code, region_path, user_id, volunteer_no, name,
        name_pinyin, name_initials, gender, birth_date, id_hash, id_enc, id_masked, source, verified)
       select v, $1, $2, $3, u, 'BO' || $6 || lpad(i::text, 4, '0'), '压测志愿者' || i, 'yacezhiyuanzhe', 'yczyz',
         'female', '1990-01-01', 'bench-id-' || v, 'x', '4115**********0000', 'staff', true
       from unnest($4::uuid[], $5::uuid[], $7::int[]) as t(v, u, i)`,
      [county, village.code, village.path, volunteerIds, volunteerUserIds, tag, idx],
    );
    await c.query(
      `insert into sessions (token_hash, user_id, csrf_token) select h, u, 'bench' ` +
        'from unnest($1::text[], $2::uuid[]) as t(h, u)',
      [[...residentTokens, ...volunteerTokens].map(sha256), [...residentIds, ...volunteerUserIds]],
    );
    await c.query('commit');
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
  return idx.map((i) => ({
    resident: residentTokens[i],
    residentId: residentIds[i],
    residentName: `压测群众${i}`,
    volunteer: volunteerTokens[i],
    volunteerUserId: volunteerUserIds[i],
    volunteerId: volunteerIds[i],
    volunteerName: `压测志愿者${i}`,
  }));
}

async function setup(baseUrl: string, call: Client, pool: pg.Pool, n: number): Promise<Setup> {
  const [resident, dispatcher] = [await login(baseUrl, RESIDENT), await login(baseUrl, DISPATCHER)];
  const me = JSON.parse((await call('GET', '/api/v1/me', resident)).body) as { regionCode: string };
  const {
    rows: [village],
  } = await pool.query(`select code, path, county_code from regions where code = $1`, [me.regionCode]);
  const pairs = await mintPairs(pool, village.county_code, village, n);
  const menu = JSON.parse((await call('GET', '/api/v1/service-items', pairs[0].resident)).body) as {
    items: { id: string; name: string; fields: { required: boolean }[] }[];
  };
  const item =
    menu.items.find((i) => i.fields.length === 0) ?? menu.items.find((i) => i.fields.every((f) => !f.required));
  if (!item) throw new Error('no service item without required fields on the resident’s menu');
  return { dispatcher, pairs, itemId: item.id, itemName: item.name, regionCode: village.code };
}

type Recorder = {
  samples: Record<Step, number[]>;
  errors: Record<Step, number>;
  firstErrors: string[];
  lifecycles: number;
};
const recorder = (): Recorder => ({
  samples: { create: [], dispatch: [], accept: [], complete: [], rate: [] },
  errors: { create: 0, dispatch: 0, accept: 0, complete: 0, rate: 0 },
  firstErrors: [],
  lifecycles: 0,
});

async function httpLifecycle(call: Client, s: Setup, p: Pair, rec: Recorder, n: number) {
  const step = async (name: Step, method: string, path: string, token: string, body: unknown) => {
    const t = performance.now();
    const res = await call(method, path, token, body);
    rec.samples[name].push(performance.now() - t);
    if (res.status < 200 || res.status >= 300) {
      rec.errors[name]++;
      if (rec.firstErrors.length < 5) rec.firstErrors.push(`${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
      return null;
    }
    return res.body;
  };
  const created = await step('create', 'POST', '/api/v1/orders', p.resident, {
    serviceItemId: s.itemId,
    description: `压测点单 ${n}`,
  });
  if (!created) return;
  const id = (JSON.parse(created) as { id: string }).id;
  if (
    !(await step('dispatch', 'POST', `/api/v1/orders/${id}/dispatch`, s.dispatcher, {
      target: { type: 'volunteer', id: p.volunteerId },
    }))
  )
    return;
  if (!(await step('accept', 'POST', `/api/v1/orders/${id}/accept`, p.volunteer, {}))) return;
  if (!(await step('complete', 'POST', `/api/v1/orders/${id}/complete`, p.volunteer, { summary: '完成', hours: 1 })))
    return;
  if (!(await step('rate', 'POST', `/api/v1/orders/${id}/rate`, p.resident, { score: 5 }))) return;
  rec.lifecycles++;
}

/**
 * `workers` loops (worker w acts as its own people), each starting lifecycles until `seconds` have passed and finishing
 * the one it is in.
 */
async function drive(
  workers: number,
  seconds: number,
  one: (rec: Recorder, n: number, w: number) => Promise<void>,
): Promise<{ rec: Recorder; wallMs: number }> {
  const rec = recorder();
  let n = 0;
  const t = performance.now();
  const until = t + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < until) {
        try {
          await one(rec, n++, w);
        } catch (e) {
          if (rec.firstErrors.length < 5) rec.firstErrors.push((e as Error).message);
        }
      }
    }),
  );
  return { rec, wallMs: performance.now() - t };
}

// --- direct SQL --------------------------------------------------------------------------------------------

type DirectCtx = {
  countyCode: string;
  regionCode: string;
  regionPath: string;
  itemId: string;
  residentId: string;
  residentName: string;
  dispatcherId: string;
  dispatcherName: string;
  volunteerUserId: string;
  volunteerName: string;
  volunteerId: string;
  staffIds: string[];
  chain: string;
};

/** Stands in for the audit key: the server tags each event with HMAC-SHA256 in JavaScript before it is sent. */
const BENCH_AUDIT_KEY = crypto.randomBytes(32);

/**
 * Audit chain append in one statement, as writeAudit does it (server/platform/audit.ts): lock the lane's head, store
 * the event, move the head. The event's keyed tag is made here (HMAC-SHA256, as the server does), PostgreSQL links it
 * to the head with sha256(); the lanes are those of the server (8 per chain name, by order id).
 */
async function audit(
  c: pg.PoolClient,
  chainName: string,
  actorId: string,
  actorName: string,
  action: string,
  entityId: string,
  after: unknown,
) {
  const chain = auditChain(chainName, entityId);
  const afterDigest = crypto.createHash('sha256').update(JSON.stringify(after)).digest('hex').slice(0, 32);
  const text =
    `{"action":${JSON.stringify(action)},"actorId":${JSON.stringify(actorId)},` +
    `"afterDigest":"${afterDigest}","chain":${JSON.stringify(chain)},"seq":`;
  const tag = crypto.createHmac('sha256', BENCH_AUDIT_KEY).update(text).digest('hex');
  const append = () =>
    c.query(
      `with h as (select seq + 1 as seq, hash from audit_heads where chain = $1 for update),
    e as (insert into audit_events (chain, seq, at, actor_id, actor_name, action, entity, entity_id, ip,
      request_id, before_digest, after_digest, detail, hash)
      select $1, h.seq, now(), $2, $3, $4, 'order', $5, null, null, null, $6, null,
        encode(sha256(convert_to(h.hash || chr(10) || $7::text || ':' || h.seq::text, 'UTF8')), 'hex') from h
        returning seq, hash)
    update audit_heads set seq = e.seq, hash = e.hash from e where audit_heads.chain = $1 returning e.seq`,
      [chain, actorId, actorName, action, entityId, afterDigest, tag],
    );
  if ((await append()).rowCount) return;
  await c.query(`insert into audit_heads (chain, seq, hash) values ($1, 0, 'genesis') on conflict do nothing`, [chain]);
  await append();
}

async function notifyUsers(
  c: pg.PoolClient,
  x: DirectCtx,
  userIds: string[],
  kind: string,
  title: string,
  body: string,
  orderId: string,
  now: Date,
) {
  if (!userIds.length) return;
  const values: unknown[] = [];
  const tuples = userIds.map((u, i) => {
    values.push(x.countyCode, u, kind, title, body, 'order', orderId, now);
    const b = i * 8;
    return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8})`;
  });
  await c.query(
    'insert into notifications (county_code, user_id, kind, title, body, entity, entity_id, created_at) ' +
      `values ${tuples.join(',')}`,
    values,
  );
}

async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    const r = await fn(c);
    await c.query('commit');
    return r;
  } catch (e) {
    await c.query('rollback').catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

async function directLifecycle(pool: pg.Pool, x: DirectCtx, rec: Recorder, n: number) {
  const timed = async <T>(name: Step, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      return await tx(pool, fn);
    } catch (e) {
      rec.errors[name]++;
      throw e;
    } finally {
      rec.samples[name].push(performance.now() - t);
    }
  };
  const transition = (
    name: Step,
    from: string,
    to: string,
    set: string,
    params: unknown[],
    actorId: string,
    actorName: string,
    note: string,
    notify: string[],
    id: string,
  ) =>
    timed(name, async (c) => {
      const now = new Date();
      const { rows } = await c.query(
        `update orders set state = $3, step_started_at = $4, updated_at = $4${set} ` +
          'where id = $1 and state = $2 returning *',
        [id, from, to, now, ...params],
      );
      if (!rows.length) throw new Error(`${name}: order ${id} not in state ${from}`);
      await c.query(
        'insert into order_events (order_id, action, from_state, to_state, actor_user_id, actor_name, at, ' +
          'note) values ($1, $2, $3, $4, $5, $6, $7, $8)',
        [id, name, from, to, actorId, actorName, now, note],
      );
      await audit(c, x.chain, actorId, actorName, `order.${name}`, id, { state: to });
      await notifyUsers(c, x, notify, `order.${name}`, `订单${name}`, note || `订单已${name}`, id, now);
    });
  const id = await timed('create', async (c) => {
    const now = new Date();
    const {
      rows: [o],
    } = await c.query(
      `insert into orders (county_code, region_code, region_path, service_item_id, resident_user_id,
        contact_name, description, address, answers, state, step_started_at, submitted_at, created_at, updated_at)
      values ($1, $2, $3, $4, $5, $6, $7, '', '{}'::jsonb, 'submitted', $8, $8, $8, $8) returning *`,
      [x.countyCode, x.regionCode, x.regionPath, x.itemId, x.residentId, x.residentName, `直连点单 ${n}`, now],
    );
    await c.query(
      'insert into order_events (order_id, action, from_state, to_state, actor_user_id, actor_name, at, note) ' +
        `values ($1, 'submit', null, 'submitted', $2, $3, $4, '')`,
      [o.id, x.residentId, x.residentName, now],
    );
    await audit(c, x.chain, x.residentId, x.residentName, 'order.create', o.id, o);
    await notifyUsers(
      c,
      x,
      x.staffIds,
      'order.submitted',
      '新的点单',
      `${x.residentName}点了服务，请及时审核派单`,
      o.id,
      now,
    );
    return o.id as string;
  });
  await transition(
    'dispatch',
    'submitted',
    'dispatched',
    `, target_type = 'volunteer', target_id = $5, dispatched_at = $4, overdue = false`,
    [x.volunteerId],
    x.dispatcherId,
    x.dispatcherName,
    `派给志愿者${x.volunteerName}`,
    [x.volunteerUserId, x.residentId],
    id,
  );
  await transition(
    'accept',
    'dispatched',
    'accepted',
    `, accepted_user_id = $5, accepted_volunteer_id = $6, accepted_at = $4, overdue = false`,
    [x.volunteerUserId, x.volunteerId],
    x.volunteerUserId,
    x.volunteerName,
    '',
    [x.residentId],
    id,
  );
  await transition(
    'complete',
    'accepted',
    'completed',
    `, summary = $5, hours = $6, volunteer_ids = $7::jsonb, photo_ids = '[]'::jsonb, completed_at = $4, ` +
      'overdue = false',
    ['完成', '1', JSON.stringify([x.volunteerId])],
    x.volunteerUserId,
    x.volunteerName,
    '完成',
    [x.residentId],
    id,
  );
  await transition(
    'rate',
    'completed',
    'rated',
    `, score = $5, comment = '', rated_at = $4, auto_rated = false`,
    [5],
    x.residentId,
    x.residentName,
    '非常满意',
    [x.volunteerUserId],
    id,
  );
  rec.lifecycles++;
}

const summarize = (r: Recorder) =>
  Object.fromEntries(STEPS.map((s) => [s, { ...latency(r.samples[s]), errors: r.errors[s] }])) as Record<
    Step,
    Latency & { errors: number }
  >;

export async function benchOrders(opts: {
  baseUrl: string;
  databaseUrl: string;
  connections: number;
  serverPoolSize: number;
}): Promise<OrdersResult> {
  const { baseUrl, databaseUrl, connections } = opts;
  const http1 = client(baseUrl, connections);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections });
  try {
    log(
      `  issue #4: logins (${RESIDENT}, ${DISPATCHER}), ${connections} residents ` +
        `and ${connections} volunteers with sessions, service item …`,
    );
    const s = await setup(baseUrl, http1.call, pool, connections);
    const fetchMe = async (token: string) =>
      JSON.parse((await http1.call('GET', '/api/v1/me', token)).body) as {
        id: string;
        name: string;
        regionCode: string;
      };
    log(`    item “${s.itemName}”; HTTP warm-up ${ORDERS_WARMUP} s …`);
    await drive(connections, ORDERS_WARMUP, (rec, n, w) => httpLifecycle(http1.call, s, s.pairs[w], rec, n));
    log(
      `  HTTP lifecycles (create → dispatch → accept → complete → rate), ${connections} ` +
        `connections, ${ORDERS_DURATION} s …`,
    );
    const h = await drive(connections, ORDERS_DURATION, (rec, n, w) =>
      httpLifecycle(http1.call, s, s.pairs[w], rec, n),
    );
    const steps = summarize(h.rec);
    const requests = STEPS.reduce((a, k) => a + steps[k].n, 0);
    const httpResult: OrdersResult['http'] = {
      lifecycles: h.rec.lifecycles,
      wallMs: Math.round(h.wallMs),
      lifecyclesPerSec: round1((h.rec.lifecycles * 1000) / h.wallMs),
      requestsPerSec: Math.round((requests * 1000) / h.wallMs),
      steps,
      errors: STEPS.reduce((a, k) => a + steps[k].errors, 0),
      firstErrors: h.rec.firstErrors,
    };
    log(
      `    ${httpResult.lifecycles} lifecycles in ${(h.wallMs / 1000).toFixed(1)} s ` +
        `= ${httpResult.lifecyclesPerSec}/s (${httpResult.requestsPerSec} req/s); ` +
        `p99 ${STEPS.map((k) => `${k} ${steps[k].p99}`).join(', ')} ms; ${httpResult.errors} errors`,
    );
    for (const e of h.rec.firstErrors) log(`    ⚠ ${e}`);

    // the direct run: same people, village, item; a chain name of its own so the county's chains stay verifiable
    const dis = await fetchMe(s.dispatcher);
    {
      const {
        rows: [region],
      } = await pool.query(`select code, path, county_code from regions where code = $1`, [s.regionCode]);
      const { rows: staff } = await pool.query(
        'select user_id from role_assignments ' +
          `where region_code = $1 and role_code in ('county_admin', 'institute_admin', 'station_admin')`,
        [s.regionCode],
      );
      const xs: DirectCtx[] = s.pairs.map((p) => ({
        countyCode: region.county_code,
        regionCode: region.code,
        regionPath: region.path,
        itemId: s.itemId,
        residentId: p.residentId,
        residentName: p.residentName,
        dispatcherId: dis.id,
        dispatcherName: dis.name,
        volunteerUserId: p.volunteerUserId,
        volunteerName: p.volunteerName,
        volunteerId: p.volunteerId,
        staffIds: staff.map((r: { user_id: string }) => r.user_id),
        chain: 'bench-direct',
      }));
      log(
        `  direct SQL lifecycles (same five transactions, same people), pg Pool of ${connections}, ` +
          `warm-up ${ORDERS_WARMUP} s then ${ORDERS_DURATION} s …`,
      );
      await drive(connections, ORDERS_WARMUP, (rec, n, w) => directLifecycle(pool, xs[w], rec, n));
      const d = await drive(connections, ORDERS_DURATION, (rec, n, w) => directLifecycle(pool, xs[w], rec, n));
      const dsteps = summarize(d.rec);
      const direct: NonNullable<OrdersResult['direct']> = {
        lifecycles: d.rec.lifecycles,
        wallMs: Math.round(d.wallMs),
        lifecyclesPerSec: round1((d.rec.lifecycles * 1000) / d.wallMs),
        steps: dsteps,
        errors: STEPS.reduce((a, k) => a + dsteps[k].errors, 0),
        firstErrors: d.rec.firstErrors,
      };
      log(
        `    ${direct.lifecycles} lifecycles in ${(d.wallMs / 1000).toFixed(1)} s ` +
          `= ${direct.lifecyclesPerSec}/s; ` +
          `p99 ${STEPS.map((k) => `${k} ${dsteps[k].p99}`).join(', ')} ms; ${direct.errors} errors`,
      );
      return {
        connections,
        durationS: ORDERS_DURATION,
        warmupS: ORDERS_WARMUP,
        serviceItem: { id: s.itemId, name: s.itemName },
        serverPoolSize: opts.serverPoolSize,
        http: httpResult,
        direct,
        ratio: direct.lifecyclesPerSec
          ? Math.round((httpResult.lifecyclesPerSec / direct.lifecyclesPerSec) * 1000) / 1000
          : null,
        loadAverageAfter: loadAverage(),
      };
    }
  } finally {
    await pool.end();
    http1.close();
  }
}
