import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { households, pointAccounts, pointTransactions, regions, volunteers } from '../../db/schema/index.js';
import { AppError, notFound } from '../../platform/errors.js';
import { rowsOf, sqlArray } from './common.js';

/**
 * The points ledger (积分账本): double entry, append-only (triggers refuse UPDATE and DELETE on point_movements and
 * point_transactions). Each movement moves a positive amount from a debit account to a credit account, so every
 * transaction sums to zero. Owner balances (households, volunteers) are projections updated in the same
 * transaction with a conditional UPDATE that never lets them go below zero; system accounts carry the other side.
 * Every module that moves points goes through `postTransaction`; `verifyPoints` recomputes everything.
 */

/** The counter-accounts of a county. */
export const systemAccounts = {
  issuance: '积分发放',
  deduction: '扣分',
  shop_held: '兑换冻结',
  redeemed: '已兑换',
  expiry: '年底清零',
  adjustment: '人工调整',
} as const;
export type SystemAccount = keyof typeof systemAccounts;

export type AccountType = 'household' | 'volunteer';

export async function systemAccountId(tx: DbOrTx, countyCode: string, code: SystemAccount, now: Date): Promise<string> {
  const [found] = await tx
    .select({ id: pointAccounts.id })
    .from(pointAccounts)
    .where(and(eq(pointAccounts.countyCode, countyCode), eq(pointAccounts.systemCode, code)));
  if (found) return found.id;
  await tx
    .insert(pointAccounts)
    .values({
      countyCode,
      type: 'system',
      systemCode: code,
      regionPath: `/${countyCode}/`,
      name: systemAccounts[code],
      createdAt: now,
    })
    .onConflictDoNothing();
  const [row] = await tx
    .select({ id: pointAccounts.id })
    .from(pointAccounts)
    .where(and(eq(pointAccounts.countyCode, countyCode), eq(pointAccounts.systemCode, code)));
  return row!.id;
}

export type OwnerAccount = {
  id: string;
  countyCode: string;
  regionCode: string | null;
  regionPath: string;
  name: string;
  balance: number;
  type: AccountType;
  ownerId: string;
};

/** The account of a household or a volunteer, opened on first use. Unknown owner → 404 naming `accountId`. */
export async function ownerAccount(tx: DbOrTx, type: AccountType, ownerId: string, now: Date): Promise<OwnerAccount> {
  const pick = () =>
    tx
      .select()
      .from(pointAccounts)
      .where(and(eq(pointAccounts.type, type), eq(pointAccounts.ownerId, ownerId)));
  let [row] = await pick();
  if (!row) {
    const owner =
      type === 'household'
        ? (
            await tx
              .select({
                countyCode: households.countyCode,
                regionCode: households.regionCode,
                regionPath: households.regionPath,
                name: households.headName,
              })
              .from(households)
              .where(eq(households.id, ownerId))
          )[0]
        : (
            await tx
              .select({
                countyCode: volunteers.countyCode,
                regionCode: volunteers.regionCode,
                regionPath: volunteers.regionPath,
                name: volunteers.name,
              })
              .from(volunteers)
              .where(eq(volunteers.id, ownerId))
          )[0];
    if (!owner)
      throw new AppError('NOT_FOUND', type === 'household' ? '该户不存在' : '该志愿者不存在', [
        { path: 'accountId', message: '账户不存在' },
      ]);
    await tx
      .insert(pointAccounts)
      .values({ ...owner, name: type === 'household' ? `${owner.name}户` : owner.name, type, ownerId, createdAt: now })
      .onConflictDoNothing();
    [row] = await pick();
  }
  return {
    id: row!.id,
    countyCode: row!.countyCode,
    regionCode: row!.regionCode,
    regionPath: row!.regionPath,
    name: row!.name,
    balance: row!.balance,
    type,
    ownerId,
  };
}

export type Movement = { debit: string; credit: string; amount: number };
export type PostInput = {
  countyCode: string;
  kind: (typeof pointTransactions.$inferInsert)['kind'];
  memo: string;
  movements: Movement[];
  idempotencyKey?: string | null;
  ruleId?: string | null;
  reversesId?: string | null;
  createdBy: string | null;
  approvedBy?: string | null;
  now: Date;
};
export type Posted = { transactionId: string; duplicate: boolean };

/**
 * Posts one journal entry with its movements in the caller's transaction. A repeated idempotency key returns
 * the first entry with `duplicate: true` and moves nothing. Any owner account that would go below zero aborts
 * the whole entry with INSUFFICIENT_POINTS (the caller's transaction rolls back). Set-based, so a batch award
 * to 10,000 households is a handful of statements.
 */
export async function postTransaction(tx: DbOrTx, p: PostInput): Promise<Posted> {
  if (p.movements.length === 0)
    throw new AppError('VALIDATION_FAILED', '没有需要入账的积分', [
      { path: 'accountIds', message: '没有需要入账的账户' },
    ]);
  for (const m of p.movements) {
    if (!Number.isInteger(m.amount) || m.amount <= 0)
      throw new AppError('VALIDATION_FAILED', '积分必须是正整数', [{ path: 'points', message: '积分必须是正整数' }]);
    if (m.debit === m.credit)
      throw new AppError('VALIDATION_FAILED', '借贷账户不能相同', [{ path: 'accountId', message: '借贷账户不能相同' }]);
  }
  const inserted = await tx
    .insert(pointTransactions)
    .values({
      countyCode: p.countyCode,
      kind: p.kind,
      memo: p.memo,
      idempotencyKey: p.idempotencyKey ?? null,
      ruleId: p.ruleId ?? null,
      reversesId: p.reversesId ?? null,
      createdBy: p.createdBy,
      approvedBy: p.approvedBy ?? null,
      createdAt: p.now,
    })
    .onConflictDoNothing()
    .returning({ id: pointTransactions.id });
  if (!inserted.length) {
    if (p.idempotencyKey) {
      const [first] = await tx
        .select({ id: pointTransactions.id })
        .from(pointTransactions)
        .where(
          and(eq(pointTransactions.countyCode, p.countyCode), eq(pointTransactions.idempotencyKey, p.idempotencyKey)),
        );
      if (first) return { transactionId: first.id, duplicate: true };
    }
    throw new AppError('DUPLICATE', '该笔积分已冲正过，不能重复冲正');
  }
  const transactionId = inserted[0]!.id;

  // net change per account, applied in id order (the same lock order everywhere, so no deadlocks)
  const delta = new Map<string, number>();
  for (const m of p.movements) {
    delta.set(m.debit, (delta.get(m.debit) ?? 0) - m.amount);
    delta.set(m.credit, (delta.get(m.credit) ?? 0) + m.amount);
  }
  const ids = [...delta.keys()].filter((id) => delta.get(id) !== 0).sort();
  const amounts = ids.map((id) => delta.get(id)!);
  const updated = await tx.execute(sql`
    update point_accounts a set balance = a.balance + d.amount
    from (select * from unnest(${sqlArray(ids, 'uuid')}, ${sqlArray(amounts, 'bigint')}) as t(id, amount) order by id) d
    where a.id = d.id and (a.type = 'system' or a.balance + d.amount >= 0)
    returning a.id`);
  if (rowsOf(updated).length !== ids.length) {
    // name the (first) account that falls short, with what it has and what the entry would take
    const done = new Set(rowsOf<{ id: string }>(updated).map((r) => r.id));
    const shortId = ids.find((id) => !done.has(id))!;
    const [acc] = rowsOf<{ name: string; balance: string | number }>(
      await tx.execute(sql`select name, balance from point_accounts where id = ${shortId}::uuid`),
    );
    const message = acc
      ? `“${acc.name}”积分余额不足：现有 ${Number(acc.balance)} 分，本次需扣减 ${-delta.get(shortId)!} 分`
      : '积分余额不足，不能扣减或兑换';
    throw new AppError('INSUFFICIENT_POINTS', message, [{ path: 'points', message }]);
  }
  await tx.execute(sql`
    insert into point_movements (transaction_id, debit_account_id, credit_account_id, amount, created_at)
    select ${transactionId}::uuid, d, c, a, ${p.now}
    from unnest(${sqlArray(
      p.movements.map((m) => m.debit),
      'uuid',
    )}, ${sqlArray(
      p.movements.map((m) => m.credit),
      'uuid',
    )}, ${sqlArray(
      p.movements.map((m) => m.amount),
      'bigint',
    )}) as t(d, c, a)`);
  return { transactionId, duplicate: false };
}

/** Balance of an account as recorded (the projection). */
export async function balanceOf(tx: DbOrTx, accountId: string): Promise<number> {
  const [row] = await tx
    .select({ b: pointAccounts.balance })
    .from(pointAccounts)
    .where(eq(pointAccounts.id, accountId));
  if (!row) throw notFound('积分账户');
  return row.b;
}

export type PointsProblem = { accountId?: string; transactionId?: string; problem: string };

/**
 * Recomputes every balance from the movements and checks the invariants: projection = credits − debits; owner
 * balances ≥ 0; every transaction has movements; a reversal mirrors what it reverses; movements positive.
 */
export async function verifyPoints(
  db: DbOrTx,
  countyCode?: string,
): Promise<{ ok: boolean; accounts: number; transactions: number; movements: number; problems: PointsProblem[] }> {
  const county = countyCode ? sql`and a.county_code = ${countyCode}` : sql``;
  const problems: PointsProblem[] = [];
  const mismatched = rowsOf(
    await db.execute(sql`
    select a.id, a.balance, coalesce(c.s, 0) - coalesce(d.s, 0) as computed
    from point_accounts a
    left join (select credit_account_id id, sum(amount) s from point_movements group by 1) c on c.id = a.id
    left join (select debit_account_id id, sum(amount) s from point_movements group by 1) d on d.id = a.id
    where a.balance <> coalesce(c.s, 0) - coalesce(d.s, 0) ${county}`),
  ) as { id: string; balance: string; computed: string }[];
  for (const m of mismatched)
    problems.push({ accountId: m.id, problem: `余额 ${m.balance} 与流水重算 ${m.computed} 不符` });
  const negative = rowsOf(
    await db.execute(
      sql`select a.id, a.balance from point_accounts a where a.type <> 'system' and a.balance < 0 ${county}`,
    ),
  ) as { id: string; balance: string }[];
  for (const n of negative) problems.push({ accountId: n.id, problem: `余额为负：${n.balance}` });
  const empty = rowsOf(
    await db.execute(
      sql`select t.id from point_transactions t
        where not exists (select 1 from point_movements m where m.transaction_id = t.id)
        ${countyCode ? sql`and t.county_code = ${countyCode}` : sql``}`,
    ),
  ) as { id: string }[];
  for (const e of empty) problems.push({ transactionId: e.id, problem: '凭证没有任何流水' });
  const badReversal = rowsOf(
    await db.execute(sql`
    select r.id from point_transactions r join point_transactions o on o.id = r.reverses_id
    where (select coalesce(sum(amount), 0) from point_movements where transaction_id = r.id)
      <> (select coalesce(sum(amount), 0) from point_movements where transaction_id = o.id)
    ${countyCode ? sql`and r.county_code = ${countyCode}` : sql``}`),
  ) as { id: string }[];
  for (const b of badReversal) problems.push({ transactionId: b.id, problem: '冲正金额与原凭证不符' });
  const crossCounty = rowsOf(
    await db.execute(sql`
    select m.transaction_id id from point_movements m join point_transactions t on t.id = m.transaction_id
    join point_accounts d on d.id = m.debit_account_id join point_accounts c on c.id = m.credit_account_id
    where d.county_code <> t.county_code or c.county_code <> t.county_code limit 100`),
  ) as { id: string }[];
  for (const x of crossCounty) problems.push({ transactionId: x.id, problem: '流水跨县记账' });
  const counts = rowsOf(
    await db.execute(
      sql`select (select count(*) from point_accounts a where true ${county}) a,
        (select count(*) from point_transactions) t, (select count(*) from point_movements) m`,
    ),
  )[0] as { a: string; t: string; m: string };
  return {
    ok: problems.length === 0,
    accounts: Number(counts.a),
    transactions: Number(counts.t),
    movements: Number(counts.m),
    problems,
  };
}

/** The region path of a region code (for accounts and claims of a place). */
export async function regionPathOf(tx: DbOrTx, code: string): Promise<string | null> {
  const [r] = await tx.select({ path: regions.path }).from(regions).where(eq(regions.code, code));
  return r?.path ?? null;
}
