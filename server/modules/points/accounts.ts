import { and, eq, ilike, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { pointAccounts, regions } from '../../db/schema/index.js';
import { escapeLike, inScope, type Scope } from '../../platform/scope.js';
import { keysetPage, type ListAnswer, type ListDef, type Lists, type SortKey } from '../../platform/lists.js';
import { requireRegion } from '../regions/service.js';
import type { AccountType } from './ledger.js';
import { accountTypeLabels, kindLabels, requireOwner, rowsOf, type PointsCaller } from './common.js';
import { privilegesFor } from './rules.js';

const accountScope = (scope: Scope) =>
  inScope(scope, { path: pointAccounts.regionPath, regionCode: pointAccounts.regionCode });

export type AccountFilter = {
  type?: AccountType;
  regionCode?: string;
  q?: string;
  page: number;
  pageSize: number;
  after?: string;
};
/** Highest balance first; the id breaks ties. */
const accountKeys: SortKey[] = [
  { column: pointAccounts.balance, desc: true, type: 'number' },
  { column: pointAccounts.id, type: 'uuid' },
];

/** Owner accounts are built from the accounts (balances included) and region names. */
export const accountsList: ListDef<AccountFilter> = {
  name: 'point_accounts',
  groups: { county: ['point_accounts'], global: ['regions'] },
};

/** Owner accounts (households, volunteers) in the caller's scope, with their balances. */
export async function listAccounts(
  lists: Lists,
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  f: AccountFilter,
): Promise<ListAnswer> {
  return lists.page(accountsList, { scope, countyCode, filter: f }, async (knownTotal) => {
    const conds: SQL[] = [
      eq(pointAccounts.countyCode, countyCode),
      ne(pointAccounts.type, 'system'),
      accountScope(scope),
    ];
    if (f.type) conds.push(eq(pointAccounts.type, f.type));
    if (f.regionCode) {
      const r = await requireRegion(db, f.regionCode);
      conds.push(sql`${pointAccounts.regionPath} like ${escapeLike(r.path) + '%'}`);
    }
    if (f.q?.trim()) conds.push(ilike(pointAccounts.name, `%${escapeLike(f.q.trim())}%`));
    const { rows, total, nextCursor } = await keysetPage(db, {
      from: pointAccounts,
      rows: (cursor) =>
        db
          .select({
            id: pointAccounts.id,
            type: pointAccounts.type,
            ownerId: pointAccounts.ownerId,
            name: pointAccounts.name,
            regionCode: pointAccounts.regionCode,
            regionName: regions.name,
            balance: pointAccounts.balance,
            cursor,
          })
          .from(pointAccounts)
          .leftJoin(regions, eq(regions.code, pointAccounts.regionCode)),
      where: and(...conds),
      keys: accountKeys,
      filter: f,
      knownTotal,
    });
    return {
      items: rows.map(({ cursor: _cursor, ...r }) => ({ ...r, typeName: accountTypeLabels[r.type as AccountType] })),
      total,
      nextCursor,
    };
  });
}

export type Entry = {
  transactionId: string;
  kind: string;
  kindName: string;
  memo: string;
  amount: number;
  balanceAfter: number;
  at: Date;
  counterAccount: string;
};

/**
 * The movements of an account, newest first, signed from the account's side, with the running balance after each
 * (a window sum over the account's own movements: both sides are indexed by account and seq).
 */
export async function entriesOf(
  db: DbOrTx,
  accountId: string,
  page = 1,
  pageSize = 50,
): Promise<{ entries: Entry[]; total: number }> {
  const rows = rowsOf<{
    transaction_id: string;
    kind: string;
    memo: string;
    amount: string;
    balance_after: string;
    at: Date | string;
    counter: string;
    total: string;
  }>(
    await db.execute(sql`
    with m as (
      select seq, transaction_id, -amount amount, credit_account_id other, created_at from point_movements
        where debit_account_id = ${accountId}
      union all
      select seq, transaction_id, amount, debit_account_id, created_at from point_movements
        where credit_account_id = ${accountId}
    ), r as (
      -- by date (posting order where two share a moment): an entry entered for an earlier day reads in its place
      select seq, transaction_id, amount, other, created_at,
        sum(amount) over (order by created_at, seq) balance_after, count(*) over () total from m
    )
    select r.transaction_id, t.kind,
      -- a monthly review may post many claims in one entry: name this account's own claim (its rule) when there is one
      coalesce(case when t.kind = 'claim' then (
        select pr.name || case when pc.points < 0 then '（扣分）' else '（申报）' end
        from point_claims pc join point_rules pr on pr.id = pc.rule_id
        where pc.transaction_id = r.transaction_id and pc.account_id = ${accountId}
        order by (pc.points = r.amount) desc limit 1) end, t.memo) memo,
      r.amount, r.balance_after, r.created_at at, o.name counter, r.total
    from r join point_transactions t on t.id = r.transaction_id join point_accounts o on o.id = r.other
    order by r.created_at desc, r.seq desc limit ${pageSize} offset ${(page - 1) * pageSize}`),
  );
  return {
    entries: rows.map((r) => ({
      transactionId: r.transaction_id,
      kind: r.kind,
      kindName: kindLabels[r.kind] ?? r.kind,
      memo: r.memo,
      amount: Number(r.amount),
      balanceAfter: Number(r.balance_after),
      at: new Date(r.at),
      counterAccount: r.counter,
    })),
    total: rows.length ? Number(rows[0].total) : 0,
  };
}

/**
 * ★ GET /points/accounts/:type/:id — staff in scope (point:read), or the owner. An account not opened yet reads as 0.
 */
export async function accountDetail(
  db: DbOrTx,
  c: PointsCaller,
  type: AccountType,
  ownerId: string,
  page = 1,
  pageSize = 50,
) {
  const owner = await requireOwner(db, c, type, ownerId, 'point:read', 'id');
  const [acc] = await db
    .select()
    .from(pointAccounts)
    .where(and(eq(pointAccounts.type, type), eq(pointAccounts.ownerId, ownerId)));
  const balance = acc?.balance ?? 0;
  const [{ entries, total }, privileges, [region]] = await Promise.all([
    acc ? entriesOf(db, acc.id, page, pageSize) : Promise.resolve({ entries: [] as Entry[], total: 0 }),
    privilegesFor(db, owner.countyCode, balance),
    db.select({ name: regions.name }).from(regions).where(eq(regions.code, owner.regionCode)),
  ]);
  return {
    account: {
      id: acc?.id ?? null,
      type,
      typeName: accountTypeLabels[type],
      ownerId,
      name: acc?.name ?? owner.name,
      regionCode: owner.regionCode,
      regionName: region?.name ?? null,
      balance,
    },
    privileges,
    entries,
    total,
    page,
    pageSize,
  };
}

/**
 * GET /me/points — the caller's volunteer account and household account, each with balance, privileges and recent
 * entries.
 */
export async function myPoints(db: DbOrTx, c: PointsCaller) {
  const [volunteer, household] = await Promise.all([
    c.volunteerId ? accountDetail(db, c, 'volunteer', c.volunteerId, 1, 20) : Promise.resolve(null),
    c.householdId ? accountDetail(db, c, 'household', c.householdId, 1, 20) : Promise.resolve(null),
  ]);
  return { volunteer, household, accounts: [household, volunteer].filter((x) => x !== null) };
}

/** Owner account rows by id, for lists that show names. */
export async function accountNames(db: DbOrTx, ids: string[]) {
  if (!ids.length) return new Map<string, { name: string; type: string; ownerId: string | null }>();
  const rows = await db
    .select({
      id: pointAccounts.id,
      name: pointAccounts.name,
      type: pointAccounts.type,
      ownerId: pointAccounts.ownerId,
    })
    .from(pointAccounts)
    .where(inArray(pointAccounts.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}
