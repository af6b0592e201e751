import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { verifyPoints } from './ledger.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const COUNTY = PHONES.countyAdmin;

describe('points: rules catalogue and privileges', () => {
  it('seeds a default catalogue every signed-in user of the county can read, filtered by category and group', async () => {
    expect((await api(null, 'GET', '/point-rules')).statusCode).toBe(401);
    const res = await api(PHONES.resident, 'GET', '/point-rules');
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as Json[];
    expect(items.length).toBeGreaterThanOrEqual(20);
    expect(items.find((r) => r.name === '见义勇为')).toMatchObject({
      category: 'reward',
      categoryName: '奖励',
      points: 50,
      evidenceRequired: true,
    });
    const deductions = items.filter((r) => r.category === 'deduction');
    const others = items.filter((r) => r.category !== 'deduction');
    expect(deductions.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    expect(deductions.every((r) => r.points < 0)).toBe(true);
    expect(others.every((r) => r.points > 0)).toBe(true);
    const ded = (await api(PHONES.volunteer, 'GET', '/point-rules?category=deduction&group=environment')).json()
      .items as Json[];
    expect(ded.length).toBeGreaterThan(0);
    expect(ded.every((r) => r.category === 'deduction' && r.group === 'environment')).toBe(true);
    expect((await api(PHONES.resident, 'GET', '/point-rules?category=bonus')).statusCode).toBe(400);
    const meta = (await api(PHONES.resident, 'GET', '/point-rules/meta')).json();
    expect(meta.groups.neighbourhood).toBe('邻里关系');
  });

  it('creates, edits and deactivates rules; a deduction must be negative and the others positive', async () => {
    const body = { name: '乱扔烟头', category: 'deduction', group: 'environment', points: 3 };
    const wrongSign = await api(COUNTY, 'POST', '/point-rules', body);
    expect(wrongSign.statusCode).toBe(400);
    expect(wrongSign.json().error.details[0].path).toBe('points');
    const positiveWrong = await api(COUNTY, 'POST', '/point-rules', { ...body, category: 'reward', points: -3 });
    expect(positiveWrong.statusCode).toBe(400);
    expect(positiveWrong.json().error.details[0].path).toBe('points');
    const zero = await api(COUNTY, 'POST', '/point-rules', { ...body, points: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.details[0].path).toBe('points');
    const fraction = await api(COUNTY, 'POST', '/point-rules', { ...body, points: -2.5 });
    expect(fraction.statusCode).toBe(400);
    expect((await api(COUNTY, 'POST', '/point-rules', { ...body, points: -3, group: 'weather' })).statusCode).toBe(400);
    expect((await api(COUNTY, 'POST', '/point-rules', { ...body, points: -3, name: '' })).statusCode).toBe(400);
    expect((await api(PHONES.xinjiAdmin, 'POST', '/point-rules', { ...body, points: -3 })).statusCode).toBe(403);
    expect((await api(PHONES.resident, 'POST', '/point-rules', { ...body, points: -3 })).statusCode).toBe(403);
    expect((await api(null, 'POST', '/point-rules', { ...body, points: -3 })).statusCode).toBe(401);

    const created = await api(COUNTY, 'POST', '/point-rules', { ...body, points: -3, description: '公共场所乱扔烟头' });
    expect(created.statusCode, created.body).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({
      name: '乱扔烟头',
      category: 'deduction',
      categoryName: '扣分',
      groupName: '环境卫生',
      points: -3,
      active: true,
    });
    const dup = await api(COUNTY, 'POST', '/point-rules', { ...body, points: -3 });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.details[0].path).toBe('name');

    const edited = await api(COUNTY, 'PUT', `/point-rules/${rule.id}`, { ...body, points: -2, evidenceRequired: true });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ points: -2, evidenceRequired: true });
    expect((await api(COUNTY, 'PUT', `/point-rules/${rule.id}`, { ...body, points: 2 })).statusCode).toBe(400);
    expect(
      (await api(COUNTY, 'PUT', '/point-rules/00000000-0000-4000-8000-000000000000', { ...body, points: -2 }))
        .statusCode,
    ).toBe(404);
    expect((await api(COUNTY, 'PUT', '/point-rules/not-a-uuid', { ...body, points: -2 })).statusCode).toBe(400);

    expect((await api(PHONES.xinjiAdmin, 'DELETE', `/point-rules/${rule.id}`)).statusCode).toBe(403);
    expect((await api(COUNTY, 'DELETE', `/point-rules/${rule.id}`)).statusCode).toBe(204);
    const after = (await api(COUNTY, 'GET', '/point-rules')).json().items as Json[];
    expect(after.some((r) => r.id === rule.id)).toBe(false);
    const withInactive = (await api(COUNTY, 'GET', '/point-rules?includeInactive=true')).json().items as Json[];
    expect(withInactive.find((r) => r.id === rule.id)?.active).toBe(false);
  });

  it('manages privileges at thresholds', async () => {
    const list = (await api(PHONES.resident, 'GET', '/point-privileges')).json().items as Json[];
    expect(list.map((p) => p.threshold)).toEqual(expect.arrayContaining([100, 200, 300]));
    expect(list.find((p) => p.threshold === 200)?.name).toBe('就业推荐优先');
    const bad = await api(COUNTY, 'POST', '/point-privileges', { name: '免费体检', threshold: 0 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('threshold');
    expect(
      (await api(PHONES.stationAdmin, 'POST', '/point-privileges', { name: '免费体检', threshold: 150 })).statusCode,
    ).toBe(403);
    const created = await api(COUNTY, 'POST', '/point-privileges', {
      name: '免费体检',
      threshold: 150,
      description: '乡镇卫生院免费体检一次',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(
      (await api(COUNTY, 'PUT', `/point-privileges/${id}`, { name: '免费体检', threshold: 160 })).json().threshold,
    ).toBe(160);
    expect((await api(COUNTY, 'DELETE', `/point-privileges/${id}`)).statusCode).toBe(204);
    expect(((await api(COUNTY, 'GET', '/point-privileges')).json().items as Json[]).some((p) => p.id === id)).toBe(
      false,
    );
  });
});

describe('points: accounts', () => {
  it('shows the resident her household and the volunteer his account, with privileges and a running balance', async () => {
    expect((await api(null, 'GET', '/me/points')).statusCode).toBe(401);
    const me = (await api(PHONES.resident, 'GET', '/me/points')).json();
    expect(me.household).not.toBeNull();
    expect(me.household.account).toMatchObject({ type: 'household', typeName: '户' });
    expect(me.household.account.balance).toBeGreaterThan(0);
    expect(me.household.entries.length).toBeGreaterThan(0);
    expect(me.household.entries[0].balanceAfter).toBe(me.household.account.balance);
    for (const p of me.household.privileges) expect(p.reached).toBe(me.household.account.balance >= p.threshold);
    const v = (await api(PHONES.volunteer, 'GET', '/me/points')).json();
    expect(v.volunteer.account.balance).toBeGreaterThan(0);
    expect((await api(PHONES.volunteer2, 'GET', '/me/points')).json().volunteer.account.balance).toBeGreaterThan(0);

    // the detail: every entry signed from the account's side, the running balance consistent
    const hh = me.household.account.ownerId;
    const detail = await api(PHONES.resident, 'GET', `/points/accounts/household/${hh}?pageSize=200`);
    expect(detail.statusCode, detail.body).toBe(200);
    const entries = detail.json().entries as Json[];
    for (let i = 0; i + 1 < entries.length; i++)
      expect(entries[i].balanceAfter - entries[i].amount).toBe(entries[i + 1].balanceAfter);
    expect(entries.some((e) => e.amount < 0)).toBe(true);
    expect(entries.at(-1)!.balanceAfter).toBe(entries.at(-1)!.amount);
    // a claim posted in a monthly batch names this household's own rule, not the batch
    const claimEntries = entries.filter((e) => e.kind === 'claim');
    expect(claimEntries.length).toBeGreaterThan(0);
    for (const e of claimEntries) expect(e.memo).toMatch(/（(申报|扣分)）$/);

    // staff in scope see it; others do not
    expect((await api(PHONES.xinjiAdmin, 'GET', `/points/accounts/household/${hh}`)).statusCode).toBe(200);
    expect((await api(PHONES.shawoAdmin, 'GET', `/points/accounts/household/${hh}`)).statusCode).toBe(404);
    expect((await api(PHONES.shawoResident, 'GET', `/points/accounts/household/${hh}`)).statusCode).toBe(404);
    expect((await api(PHONES.volunteer, 'GET', `/points/accounts/household/${hh}`)).statusCode).toBe(404);
    expect((await api(null, 'GET', `/points/accounts/household/${hh}`)).statusCode).toBe(401);
    expect((await api(PHONES.xinjiAdmin, 'GET', `/points/accounts/family/${hh}`)).statusCode).toBe(400);
    expect(
      (await api(PHONES.xinjiAdmin, 'GET', '/points/accounts/household/00000000-0000-4000-8000-000000000000'))
        .statusCode,
    ).toBe(404);
  });

  it('lists accounts in scope only', async () => {
    expect((await api(PHONES.resident, 'GET', '/points/accounts')).statusCode).toBe(403);
    const xinji = await api(PHONES.xinjiAdmin, 'GET', '/points/accounts?type=household&pageSize=200');
    expect(xinji.statusCode, xinji.body).toBe(200);
    const items = xinji.json().items as Json[];
    expect(items.length).toBeGreaterThan(0);
    const paths = (
      await t.deps.database.query(`select id, region_path from point_accounts where id = any($1::uuid[])`, [
        items.map((i) => i.id),
      ])
    ).rows as { region_path: string }[];
    expect(paths).toHaveLength(items.length);
    expect(paths.every((p) => p.region_path.startsWith('/411523/411523100/'))).toBe(true);
    const county = (await api(COUNTY, 'GET', '/points/accounts?pageSize=1')).json();
    expect(county.total).toBeGreaterThan(xinji.json().total);
    const q = items[0].name.slice(0, 2);
    const found = (await api(PHONES.xinjiAdmin, 'GET', `/points/accounts?q=${encodeURIComponent(q)}`)).json()
      .items as Json[];
    expect(found.map((a) => a.id)).toContain(items[0].id);
    expect(found.every((a) => a.name.includes(q))).toBe(true);
    expect((await api(PHONES.xinjiAdmin, 'GET', '/points/accounts?regionCode=999')).statusCode).toBe(400);
  });

  it('the seeded ledger verifies', async () => {
    const v = await verifyPoints(t.deps.database.db);
    expect(v.problems).toEqual([]);
    expect(v.movements).toBeGreaterThan(500);
    expect((await api(COUNTY, 'GET', '/points/verify')).json()).toMatchObject({ ok: true });
    expect((await api(PHONES.xinjiAdmin, 'GET', '/points/verify')).statusCode).toBe(403);
  });
});
