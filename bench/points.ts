/**
 * Issue #6 (points), on a running server backed by PostgreSQL (demo county seeded):
 *   1. 10,000 households of one village are written straight into the database.
 *   2. POST /api/v1/points/awards to all 10,000 as the county admin, twice with different idempotency keys: the
 *      first also opens the 10,000 accounts, the second is the steady state. Movements/s of each (wall time of the
 *      request). Then the second key again: must change nothing ({ posted: 0 }).
 *   3. Direct: the same 10,000 movements as one multi-row INSERT (unnest) with its journal row, in a transaction
 *      that is rolled back (so the ledger stays whole); the ratio is award movements/s ÷ direct movements/s.
 *   4. Balance reads: 300 sequential GET /api/v1/points/accounts/household/:id → p50/p99.
 *   5. GET /api/v1/points/verify → ok.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { api, latency, log, login, type Latency } from './lib.js';

const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 10_000);
const READS = Number(process.env.BENCH_BALANCE_READS ?? 300);

export type PointsResult = {
  households: number;
  award: {
    firstMs: number;
    firstPerSec: number;
    steadyMs: number;
    steadyPerSec: number;
    posted: number;
    repeat: { posted: number; skipped: number };
  };
  direct: { ms: number; perSec: number };
  ratio: number;
  balanceRead: Latency;
  verify: { ok: boolean; problems: number; accounts: number; movements: number };
};

export async function benchPoints(baseUrl: string, databaseUrl: string): Promise<PointsResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const admin = await login(baseUrl, '13800000001');
    const {
      rows: [village],
    } = await pool.query(
      'select v.code, v.path, v.county_code from regions v join regions t on t.code = v.parent_code ' +
        `where t.name like '新集%' order by v.code desc limit 1`,
    );
    log(`  #6 points: ${HOUSEHOLDS} households in ${village.code}…`);
    const { rows: hh } = await pool.query(
      `insert into households (county_code, region_code, region_path, head_name, address, member_count, created_at)
       select $1, $2, $3, '压测户' || g, '压测地址 ' || g, 3, now() from generate_series(1, $4::int) g returning id`,
      [village.county_code, village.code, village.path, HOUSEHOLDS],
    );
    const ids = hh.map((h) => h.id as string);
    const rules = await api<{ items: { id: string; points: number; category: string }[] }>(
      baseUrl,
      admin,
      'GET',
      '/api/v1/point-rules',
    );
    const rule =
      rules.items.find((r) => r.category === 'basic' && r.points > 0) ?? rules.items.find((r) => r.points > 0)!;

    const award = async (key: string) => {
      const t = performance.now();
      const r = await api<{ posted: number; skipped: number }>(baseUrl, admin, 'POST', '/api/v1/points/awards', {
        ruleId: rule.id,
        accountType: 'household',
        accountIds: ids,
        idempotencyKey: key,
      });
      return { ms: performance.now() - t, ...r };
    };
    const first = await award(`bench-${crypto.randomUUID()}`);
    const key2 = `bench-${crypto.randomUUID()}`;
    const steady = await award(key2);
    const repeat = await award(key2);

    // direct: the same movements as one multi-row INSERT, rolled back
    const { rows: accs } = await pool.query(
      `select id from point_accounts where type = 'household' and owner_id = any($1::uuid[])`,
      [ids],
    );
    const {
      rows: [issuance],
    } = await pool.query(`select id from point_accounts where county_code = $1 and system_code = 'issuance'`, [
      village.county_code,
    ]);
    const client = await pool.connect();
    let directMs = 0;
    try {
      await client.query('begin');
      const t = performance.now();
      const {
        rows: [tx],
      } = await client.query(
        'insert into point_transactions (county_code, kind, memo, created_at) ' +
          `values ($1, 'award', '压测直插', now()) returning id`,
        [village.county_code],
      );
      await client.query(
        `insert into point_movements (transaction_id, debit_account_id, credit_account_id, amount, created_at)
         select $1, $2, c, $3, now() from unnest($4::uuid[]) as t(c)`,
        [tx.id, issuance.id, rule.points, accs.map((a) => a.id)],
      );
      directMs = performance.now() - t;
    } finally {
      await client.query('rollback');
      client.release();
    }

    const reads: number[] = [];
    for (let i = 0; i < READS; i++) {
      const id = ids[(i * 7919) % ids.length];
      const t = performance.now();
      await api(baseUrl, admin, 'GET', `/api/v1/points/accounts/household/${id}`);
      reads.push(performance.now() - t);
    }
    const verify = await api<{ ok: boolean; problems: unknown[]; accounts: number; movements: number }>(
      baseUrl,
      admin,
      'GET',
      '/api/v1/points/verify',
    );
    const perSec = (n: number, ms: number) => Math.round(n / (ms / 1000));
    const steadyPerSec = perSec(HOUSEHOLDS, steady.ms);
    const directPerSec = perSec(HOUSEHOLDS, directMs);
    return {
      households: HOUSEHOLDS,
      award: {
        firstMs: Math.round(first.ms),
        firstPerSec: perSec(HOUSEHOLDS, first.ms),
        steadyMs: Math.round(steady.ms),
        steadyPerSec,
        posted: steady.posted,
        repeat: { posted: repeat.posted, skipped: repeat.skipped },
      },
      direct: { ms: Math.round(directMs), perSec: directPerSec },
      ratio: Math.round((steadyPerSec / directPerSec) * 1000) / 1000,
      balanceRead: latency(reads),
      verify: {
        ok: verify.ok,
        problems: verify.problems.length,
        accounts: verify.accounts,
        movements: verify.movements,
      },
    };
  } finally {
    await pool.end();
  }
}
