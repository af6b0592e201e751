import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { households } from '../../db/schema/index.js';
import { ownerAccount, postTransaction, systemAccountId, verifyPoints, balanceOf } from './ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.deps.database.db;

async function household() {
  const [h] = await db()
    .select({ id: households.id })
    .from(households)
    .limit(1)
    .offset(Math.floor(Math.random() * 200));
  return h.id;
}

describe('points ledger core', () => {
  it('posts double entry, keeps the projection, refuses a repeated idempotency key and edits of movements', async () => {
    const now = t.clock.now();
    const hh = await household();
    const { acc, issuance } = await db().transaction(async (tx) => ({
      acc: await ownerAccount(tx, 'household', hh, now),
      issuance: await systemAccountId(tx, '411523', 'issuance', now),
    }));
    const before = await balanceOf(db(), acc.id);
    const post = () =>
      db().transaction((tx) =>
        postTransaction(tx, {
          countyCode: '411523',
          kind: 'award',
          memo: '测试发放',
          idempotencyKey: 'ledger-test-1',
          movements: [{ debit: issuance, credit: acc.id, amount: 30 }],
          createdBy: null,
          now,
        }),
      );
    const first = await post();
    const again = await post();
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ transactionId: first.transactionId, duplicate: true });
    expect(await balanceOf(db(), acc.id)).toBe(before + 30);
    const refused = (q: Promise<unknown>) =>
      q.then(
        () => 'accepted',
        (e: { message: string; cause?: { message: string } }) => `${e.message} ${e.cause?.message ?? ''}`,
      );
    expect(
      await refused(
        db().execute(sql`update point_movements set amount = 1 where transaction_id = ${first.transactionId}`),
      ),
    ).toMatch(/append-only/);
    expect(await refused(db().execute(sql`delete from point_transactions where id = ${first.transactionId}`))).toMatch(
      /append-only/,
    );
    expect((await verifyPoints(db())).problems).toEqual([]);
  });

  it('never lets 20 simultaneous debits take a balance below zero', async () => {
    const now = t.clock.now();
    const hh = await household();
    const { acc, issuance, redeemed } = await db().transaction(async (tx) => ({
      acc: await ownerAccount(tx, 'household', hh, now),
      issuance: await systemAccountId(tx, '411523', 'issuance', now),
      redeemed: await systemAccountId(tx, '411523', 'redeemed', now),
    }));
    await db().transaction((tx) =>
      postTransaction(tx, {
        countyCode: '411523',
        kind: 'award',
        memo: '充值',
        movements: [{ debit: issuance, credit: acc.id, amount: 100 }],
        createdBy: null,
        now,
      }),
    );
    const start = await balanceOf(db(), acc.id);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        db().transaction((tx) =>
          postTransaction(tx, {
            countyCode: '411523',
            kind: 'redemption',
            memo: '兑换',
            movements: [{ debit: acc.id, credit: redeemed, amount: 30 }],
            createdBy: null,
            now,
          }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).toBe(Math.floor(start / 30));
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('INSUFFICIENT_POINTS');
    expect(await balanceOf(db(), acc.id)).toBe(start - ok * 30);
    expect((await verifyPoints(db())).ok).toBe(true);
  });
});

describe('points-verify', () => {
  it('finds a balance that no longer matches its movements', async () => {
    const now = t.clock.now();
    const hh = await household();
    const acc = await db().transaction((tx) => ownerAccount(tx, 'household', hh, now));
    expect((await verifyPoints(db())).ok).toBe(true);
    const balance = await balanceOf(db(), acc.id);
    // the projection is a plain column: tamper with it the way a stray UPDATE would
    await db().execute(sql`update point_accounts set balance = balance + 7 where id = ${acc.id}`);
    const bad = await verifyPoints(db());
    expect(bad.ok).toBe(false);
    expect(bad.problems).toContainEqual({
      accountId: acc.id,
      problem: `余额 ${balance + 7} 与流水重算 ${balance} 不符`,
    });
    await db().execute(sql`update point_accounts set balance = ${balance} where id = ${acc.id}`);
    expect((await verifyPoints(db())).ok).toBe(true);
  });
});
