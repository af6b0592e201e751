import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { verifyPoints } from './ledger.js';

let t: TestApp;
let rules: Json[];
let household: string;
let households200: string[];
beforeAll(async () => {
  t = await createTestApp();
  rules = (await api(PHONES.resident, 'GET', '/point-rules')).json().items;
  household = (await api(PHONES.resident, 'GET', '/me/points')).json().household.account.ownerId;
  households200 = (
    await q<{ id: string }>(`select id from households where county_code = '411523' order by id limit 200`)
  ).map((r) => r.id);
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const q = async <T>(sql: string, params: unknown[] = []) => (await t.deps.database.query(sql, params)).rows as T[];
const COUNTY = PHONES.countyAdmin;
const XINJI = PHONES.xinjiAdmin;
const rule = (name: string) => rules.find((r) => r.name.includes(name))!;
const ledgerCounts = async () => {
  const v = await verifyPoints(t.deps.database.db);
  return { transactions: v.transactions, movements: v.movements };
};
const balances = async (ids: string[]) =>
  new Map(
    (
      await q<{ owner_id: string; balance: string }>(
        `select owner_id, balance from point_accounts where type = 'household' and owner_id = any($1::uuid[])`,
        [ids],
      )
    ).map((r) => [r.owner_id, Number(r.balance)]),
  );
const balanceOf = async (hh: string) => (await balances([hh])).get(hh) ?? 0;
async function freshHousehold(name = '孙新户') {
  const [h] = await q<{ region_code: string; region_path: string }>(
    `select region_code, region_path from households where id = $1`,
    [household],
  );
  return (
    await q<{ id: string }>(
      'insert into households (county_code, region_code, region_path, head_name, created_at) ' +
        `values ('411523', $1, $2, $3, now()) returning id`,
      [h.region_code, h.region_path, name],
    )
  )[0].id;
}

describe('points: batch awards', () => {
  it('awards ~200 households in one transaction; the same idempotency key again changes nothing', async () => {
    const before = await balances(households200);
    const counts = await ledgerCounts();
    const body = {
      ruleId: rule('参加村集体活动').id,
      accountType: 'household',
      accountIds: households200,
      idempotencyKey: 'award-test-2026-06-village-meeting',
    };
    const res = await api(COUNTY, 'POST', '/points/awards', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ posted: 200, skipped: 0, points: 1000 });
    const after = await balances(households200);
    for (const id of households200) expect(after.get(id)).toBe((before.get(id) ?? 0) + 5);
    const [{ n }] = await q<{ n: string }>(`select count(*) n from point_movements where transaction_id = $1`, [
      res.json().transactionId,
    ]);
    expect(Number(n)).toBe(200);
    const mid = await ledgerCounts();
    expect(mid).toEqual({ transactions: counts.transactions + 1, movements: counts.movements + 200 });

    const again = await api(COUNTY, 'POST', '/points/awards', body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ posted: 0, skipped: 200, transactionId: res.json().transactionId });
    expect(await ledgerCounts()).toEqual(mid);
    expect(await balances(households200)).toEqual(after);
  });

  it('simultaneous awards with one key post once', async () => {
    const hh = [await freshHousehold('周同时户'), await freshHousehold('吴同时户')];
    const counts = await ledgerCounts();
    const body = {
      ruleId: rule('义务劳动').id,
      accountType: 'household',
      accountIds: hh,
      idempotencyKey: 'award-test-concurrent-1',
      points: 7,
    };
    const results = await Promise.all(Array.from({ length: 8 }, () => api(COUNTY, 'POST', '/points/awards', body)));
    for (const r of results) expect(r.statusCode, r.body).toBe(200);
    expect(results.filter((r) => r.json().posted === 2)).toHaveLength(1);
    expect(results.filter((r) => r.json().posted === 0 && r.json().skipped === 2)).toHaveLength(7);
    expect(await ledgerCounts()).toEqual({ transactions: counts.transactions + 1, movements: counts.movements + 2 });
    for (const id of hh) expect(await balanceOf(id)).toBe(7);
    expect((await verifyPoints(t.deps.database.db)).problems).toEqual([]);
  });

  it('refuses bad input and out-of-scope accounts without touching the ledger', async () => {
    const counts = await ledgerCounts();
    const body = {
      ruleId: rule('参加村集体活动').id,
      accountType: 'household',
      accountIds: [household],
      idempotencyKey: 'award-test-bad-input',
    };
    const cases: [Json, number, string][] = [
      [{ ...body, points: 0 }, 400, 'points'],
      [{ ...body, points: -5 }, 400, 'points'],
      [{ ...body, points: 2.5 }, 400, 'points'],
      [{ ...body, idempotencyKey: undefined }, 400, 'idempotencyKey'],
      [{ ...body, accountIds: [] }, 400, 'accountIds'],
      [{ ...body, ruleId: '00000000-0000-4000-8000-000000000000' }, 400, 'ruleId'],
      [{ ...body, ruleId: rule('乱堆乱放').id }, 400, 'ruleId'],
      [{ ...body, accountIds: [household, '00000000-0000-4000-8000-000000000000'] }, 404, 'accountIds.1'],
    ];
    for (const [payload, status, path] of cases) {
      const res = await api(COUNTY, 'POST', '/points/awards', payload);
      expect(res.statusCode, `${JSON.stringify(payload)} → ${res.body}`).toBe(status);
      expect(res.json().error.details[0].path).toBe(path);
    }
    const shawoHousehold = (
      await q<{ id: string }>(`select id from households where region_path like '/411523/411523101/%' limit 1`)
    )[0].id;
    const outside = await api(XINJI, 'POST', '/points/awards', { ...body, accountIds: [household, shawoHousehold] });
    expect(outside.statusCode).toBe(404);
    expect(outside.json().error.details[0].path).toBe('accountIds.1');
    expect((await api(PHONES.resident, 'POST', '/points/awards', body)).statusCode).toBe(403);
    expect((await api(null, 'POST', '/points/awards', body)).statusCode).toBe(401);
    expect(await ledgerCounts()).toEqual(counts);
    expect(
      (await q(`select 1 from point_transactions where idempotency_key = 'award:award-test-bad-input'`)).length,
    ).toBe(0);
  });

  it('awards service points for an ended activity once: hours × points per hour × coefficient', async () => {
    const [a] = await q<{
      id: string;
    }>(`select a.id from activities a where a.state in ('ended', 'archived')
      and a.region_path like '/411523/411523100/%'
      and exists (select 1 from hours_entries e where e.activity_id = a.id)
      and not exists (select 1 from point_award_activities p where p.activity_id = a.id)
      order by a.end_at desc limit 1`);
    const hours = await q<{ volunteer_id: string; h: string }>(
      `select volunteer_id, sum(hours) h from hours_entries where activity_id = $1 group by 1 having sum(hours) > 0`,
      [a.id],
    );
    expect((await api(PHONES.shawoAdmin, 'POST', `/points/awards/activity/${a.id}`, {})).statusCode).toBe(404);
    expect((await api(PHONES.volunteer, 'POST', `/points/awards/activity/${a.id}`, {})).statusCode).toBe(403);
    const res = await api(XINJI, 'POST', `/points/awards/activity/${a.id}`, {});
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ perHour: 10, coefficient: 1, posted: hours.length });
    for (const h of hours)
      expect(out.rows.find((r: Json) => r.volunteerId === h.volunteer_id).points).toBe(Math.round(Number(h.h) * 10));
    const [tx] = await q<{ kind: string; n: string }>(
      'select t.kind, (select count(*) from point_movements m where m.transaction_id = t.id) n ' +
        'from point_transactions t where t.id = $1',
      [out.transactionId],
    );
    expect(tx.kind).toBe('service');
    expect(Number(tx.n)).toBe(hours.length);
    const dup = await api(XINJI, 'POST', `/points/awards/activity/${a.id}`, {});
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE');
    const [open] = await q<{ id: string }>(
      'select id from activities ' +
        `where state in ('published', 'draft') and region_path like '/411523/411523100/%' limit 1`,
    );
    expect(open).toBeDefined();
    expect((await api(XINJI, 'POST', `/points/awards/activity/${open.id}`, {})).statusCode).toBe(409);
    expect(
      (await api(XINJI, 'POST', '/points/awards/activity/00000000-0000-4000-8000-000000000000', {})).statusCode,
    ).toBe(404);
  });
});

describe('points: adjustments need a second person', () => {
  it('is requested by one and approved by another; the requester approving → 403, and the database refuses it too', async () => {
    const before = await balanceOf(household);
    expect(
      (
        await api(XINJI, 'POST', '/points/adjustments', {
          accountType: 'household',
          accountId: household,
          amount: 0,
          reason: '测试',
        })
      ).statusCode,
    ).toBe(400);
    const tooMuch = await api(XINJI, 'POST', '/points/adjustments', {
      accountType: 'household',
      accountId: household,
      amount: -(before + 1),
      reason: '多扣',
    });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().error.code).toBe('INSUFFICIENT_POINTS');
    expect(
      (
        await api(PHONES.shawoAdmin, 'POST', '/points/adjustments', {
          accountType: 'household',
          accountId: household,
          amount: 5,
          reason: '越权',
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await api(PHONES.resident, 'POST', '/points/adjustments', {
          accountType: 'household',
          accountId: household,
          amount: 5,
          reason: '自己加分',
        })
      ).statusCode,
    ).toBe(403);

    const req = await api(XINJI, 'POST', '/points/adjustments', {
      accountType: 'household',
      accountId: household,
      amount: -3,
      reason: '上月重复入账，予以更正',
    });
    expect(req.statusCode, req.body).toBe(201);
    const adj = req.json();
    expect(adj).toMatchObject({ state: 'pending', stateName: '待复核', amount: -3 });
    expect(await balanceOf(household)).toBe(before);
    const own = await api(XINJI, 'POST', `/points/adjustments/${adj.id}/approve`, {});
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toContain('第二人');
    expect((await api(PHONES.stationAdmin, 'POST', `/points/adjustments/${adj.id}/approve`, {})).statusCode).toBe(403);
    const dbRefuses = await q(`update point_adjustments set decided_by = requested_by where id = $1`, [adj.id]).then(
      () => 'accepted',
      () => 'refused',
    );
    expect(dbRefuses).toBe('refused');

    const ok = await api(COUNTY, 'POST', `/points/adjustments/${adj.id}/approve`, { comment: '核实无误' });
    expect(ok.statusCode, ok.body).toBe(200);
    const nameOf = async (phone: string) => (await api(phone, 'GET', '/me')).json().name as string;
    expect(ok.json()).toMatchObject({
      state: 'approved',
      comment: '核实无误',
      requestedByName: await nameOf(XINJI),
      decidedByName: await nameOf(COUNTY),
    });
    const listed = ((await api(XINJI, 'GET', '/points/adjustments?pageSize=100')).json().items as Json[]).find(
      (x) => x.id === adj.id,
    );
    expect(listed).toMatchObject({ requestedByName: await nameOf(XINJI), decidedByName: await nameOf(COUNTY) });
    expect(ok.json().events.map((e: Json) => e.action)).toEqual(['request', 'approve']);
    expect(await balanceOf(household)).toBe(before - 3);
    expect((await api(COUNTY, 'POST', `/points/adjustments/${adj.id}/approve`, {})).statusCode).toBe(409);

    const station = await api(PHONES.stationAdmin, 'POST', '/points/adjustments', {
      accountType: 'household',
      accountId: household,
      amount: 8,
      reason: '补录孝老爱亲积分',
    });
    expect(station.statusCode, station.body).toBe(201);
    expect((await api(XINJI, 'POST', `/points/adjustments/${station.json().id}/reject`, {})).statusCode).toBe(400);
    const rejected = await api(XINJI, 'POST', `/points/adjustments/${station.json().id}/reject`, {
      comment: '证明材料不足',
    });
    expect(rejected.json()).toMatchObject({ state: 'rejected', comment: '证明材料不足' });
    expect(await balanceOf(household)).toBe(before - 3);
    const waiting = await api(PHONES.stationAdmin, 'POST', '/points/adjustments', {
      accountType: 'household',
      accountId: household,
      amount: 2,
      reason: '补录环境整治积分',
    });
    expect(waiting.statusCode, waiting.body).toBe(201);
    const pending = (await api(XINJI, 'GET', '/points/adjustments?state=pending')).json().items as Json[];
    expect(pending.map((p) => p.id)).toContain(waiting.json().id);
    expect(pending.map((p) => p.id)).not.toContain(station.json().id);
    expect(pending.every((p) => p.state === 'pending')).toBe(true);
    expect((await api(PHONES.shawoAdmin, 'GET', `/points/adjustments/${adj.id}`)).statusCode).toBe(404);
  });
});

describe('points: reversal', () => {
  it('mirrors a transaction once; never below zero; only in scope', async () => {
    const hh = await freshHousehold('郑冲正户');
    const other = await freshHousehold('王冲正户');
    const award = (
      await api(COUNTY, 'POST', '/points/awards', {
        ruleId: rule('拾金不昧').id,
        accountType: 'household',
        accountIds: [hh, other],
        idempotencyKey: 'award-test-reverse-1',
      })
    ).json();
    expect(await balanceOf(hh)).toBe(20);
    expect(
      (
        await api(PHONES.stationAdmin, 'POST', `/points/transactions/${award.transactionId}/reverse`, {
          reason: '误发',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await api(PHONES.shawoAdmin, 'POST', `/points/transactions/${award.transactionId}/reverse`, { reason: '误发' }))
        .statusCode,
    ).toBe(404);
    expect((await api(XINJI, 'POST', `/points/transactions/${award.transactionId}/reverse`, {})).statusCode).toBe(400);
    const res = await api(XINJI, 'POST', `/points/transactions/${award.transactionId}/reverse`, {
      reason: '误发，该户不符合条件',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ reversesId: award.transactionId, movements: 2, points: 40 });
    expect(await balanceOf(hh)).toBe(0);
    expect(await balanceOf(other)).toBe(0);
    const again = await api(XINJI, 'POST', `/points/transactions/${award.transactionId}/reverse`, {
      reason: '再次冲正',
    });
    expect(again.statusCode).toBe(409);
    expect(
      (await api(XINJI, 'POST', `/points/transactions/${res.json().transactionId}/reverse`, { reason: '冲正的冲正' }))
        .statusCode,
    ).toBe(409);
    const detail = (await api(XINJI, 'GET', `/points/transactions/${award.transactionId}`)).json();
    expect(detail).toMatchObject({ kind: 'award', reversedBy: res.json().transactionId });

    // points already spent: the reversal would take the balance below zero
    const second = (
      await api(COUNTY, 'POST', '/points/awards', {
        ruleId: rule('拾金不昧').id,
        accountType: 'household',
        accountIds: [hh],
        idempotencyKey: 'award-test-reverse-2',
      })
    ).json();
    const adj = (
      await api(PHONES.stationAdmin, 'POST', '/points/adjustments', {
        accountType: 'household',
        accountId: hh,
        amount: -15,
        reason: '兑换线下商品',
      })
    ).json();
    expect((await api(XINJI, 'POST', `/points/adjustments/${adj.id}/approve`, {})).statusCode).toBe(200);
    const counts = await ledgerCounts();
    const short = await api(XINJI, 'POST', `/points/transactions/${second.transactionId}/reverse`, { reason: '误发' });
    expect(short.statusCode).toBe(409);
    expect(short.json().error.code).toBe('INSUFFICIENT_POINTS');
    expect(short.json().error.message).toMatch(/^“.+”积分余额不足：现有 5 分，本次需扣减 \d+ 分$/);
    expect(await ledgerCounts()).toEqual(counts);
    expect(await balanceOf(hh)).toBe(5);
    expect(
      (
        await api(XINJI, 'POST', '/points/transactions/00000000-0000-4000-8000-000000000000/reverse', {
          reason: '不存在',
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('points: dividend, expiry and verification', () => {
  it('divides a budget by the points earned in the year, as JSON and as Excel', async () => {
    const res = await api(COUNTY, 'GET', '/points/dividend?year=2026&budget=10000');
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json();
    expect(d.totalPoints).toBeGreaterThan(0);
    expect(d.rows.reduce((s: number, r: Json) => s + r.points, 0)).toBe(d.totalPoints);
    expect(d.yuanPerPoint).toBeCloseTo(10000 / d.totalPoints, 3);
    const paid = d.rows.reduce((s: number, r: Json) => s + r.amount, 0);
    expect(paid).toBeLessThanOrEqual(10000.01 + d.rows.length * 0.005);
    expect(paid).toBeGreaterThan(10000 - d.rows.length * 0.02);
    for (let i = 0; i + 1 < d.rows.length; i++) expect(d.rows[i].points).toBeGreaterThanOrEqual(d.rows[i + 1].points);
    expect(d.rows[0].account).toMatchObject({ type: 'household' });

    const plain = (await api(COUNTY, 'GET', '/points/dividend?year=2026')).json();
    expect(plain.yuanPerPoint).toBe(1);
    expect(plain.budget).toBe(plain.totalPoints);
    expect(plain.rows).toHaveLength(d.rows.length);
    expect(plain.rows.every((r: Json) => r.amount === r.points)).toBe(true);

    const xinji = (await api(XINJI, 'GET', '/points/dividend?year=2026')).json();
    expect(xinji.totalPoints).toBeLessThan(plain.totalPoints);
    expect((await api(PHONES.shawoAdmin, 'GET', '/points/dividend?regionCode=411523100')).statusCode).toBe(404);
    expect((await api(PHONES.resident, 'GET', '/points/dividend')).statusCode).toBe(403);
    expect((await api(COUNTY, 'GET', '/points/dividend?budget=-1')).statusCode).toBe(400);
    expect((await api(COUNTY, 'GET', '/points/dividend?year=abc')).statusCode).toBe(400);

    const xlsx = await api(COUNTY, 'GET', '/points/dividend?year=2026&budget=10000&format=xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(3).getCell(2).value).toBe('户名');
    expect(ws.rowCount).toBe(d.rows.length + 4);
  });

  it('expires the points of an ended year once, only when the county turned it on', async () => {
    const off = await api(COUNTY, 'POST', '/points/expire', { year: 2025 });
    expect(off.statusCode).toBe(409);
    expect((await api(COUNTY, 'PUT', '/settings', { 'points.expireAtYearEnd': true })).statusCode).toBe(200);
    expect((await api(XINJI, 'POST', '/points/expire', { year: 2025 })).statusCode).toBe(403);
    const early = await api(COUNTY, 'POST', '/points/expire', { year: 2026 });
    expect(early.statusCode).toBe(409);
    expect(early.json().error.details[0].path).toBe('year');
    expect((await api(COUNTY, 'POST', '/points/expire', { year: 'last' })).statusCode).toBe(400);

    // a household that earned only this year keeps its points
    const fresh = await freshHousehold('冯今年户');
    await api(COUNTY, 'POST', '/points/awards', {
      ruleId: rule('参加村集体活动').id,
      accountType: 'household',
      accountIds: [fresh],
      idempotencyKey: 'award-test-expiry-fresh',
    });
    const [old] = await q<{
      owner_id: string;
      balance: string;
    }>(`select a.owner_id, a.balance from point_accounts a where a.type = 'household' and a.balance > 0
      and exists (select 1 from point_movements m
        where m.credit_account_id = a.id and m.created_at < '2026-01-01T00:00:00+08:00') limit 1`);
    const res = await api(COUNTY, 'POST', '/points/expire', { year: 2025 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ year: 2025, duplicate: false });
    expect(res.json().accounts).toBeGreaterThan(0);
    expect(await balanceOf(fresh)).toBe(5);
    expect(await balanceOf(old.owner_id)).toBeLessThan(Number(old.balance));
    const counts = await ledgerCounts();
    const again = await api(COUNTY, 'POST', '/points/expire', { year: 2025 });
    expect(again.json()).toMatchObject({ duplicate: true, transactionId: res.json().transactionId });
    expect(await ledgerCounts()).toEqual(counts);
  });

  it('the ledger verifies after all of it, by API and in the database', async () => {
    const v = await verifyPoints(t.deps.database.db);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    const res = await api(COUNTY, 'GET', '/points/verify');
    expect(res.json()).toMatchObject({ ok: true, problems: [] });
    expect((await api(null, 'GET', '/points/verify')).statusCode).toBe(401);
  });
});

describe('the adjustment machine: actions answered are the actions allowed', () => {
  const request = async () => {
    const res = await api(XINJI, 'POST', '/points/adjustments', {
      accountType: 'household',
      accountId: household,
      amount: 2,
      reason: '补记上月志愿服务积分',
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const take = (phone: string, id: string, action: string) =>
    api(phone, 'POST', `/points/adjustments/${id}/${action}`, action === 'reject' ? { comment: '依据不足' } : {});

  it('a second person sees approve and reject and can take each; the requester sees none and is refused', async () => {
    const probe = await request();
    expect((await api(COUNTY, 'GET', `/points/adjustments/${probe}`)).json().actions).toEqual(['approve', 'reject']);
    expect((await api(XINJI, 'GET', `/points/adjustments/${probe}`)).json().actions).toEqual([]);
    const listed = async (phone: string) =>
      ((await api(phone, 'GET', '/points/adjustments?state=pending&pageSize=200')).json().items as Json[]).find(
        (x) => x.id === probe,
      )?.actions;
    expect(await listed(COUNTY)).toEqual(['approve', 'reject']);
    expect(await listed(XINJI)).toEqual([]);
    for (const action of ['approve', 'reject']) {
      const id = await request();
      expect((await take(XINJI, id, action)).statusCode).toBe(403);
      const done = await take(COUNTY, id, action);
      expect(done.statusCode, done.body).toBe(200);
      expect((await api(COUNTY, 'GET', `/points/adjustments/${id}`)).json().actions).toEqual([]);
      for (const again of ['approve', 'reject']) expect((await take(COUNTY, id, again)).statusCode).toBe(409);
    }
    expect((await take(PHONES.shawoAdmin, probe, 'approve')).statusCode).toBe(404);
  });

  it('two approvers at once: one wins, the other gets 409, and the ledger moves once', async () => {
    const id = await request();
    const before = await balanceOf(household);
    const results = await Promise.all([take(COUNTY, id, 'approve'), take(COUNTY, id, 'approve')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await balanceOf(household)).toBe(before + 2);
  });
});
