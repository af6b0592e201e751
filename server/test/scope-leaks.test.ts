import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkChar } from '../platform/idcard.js';
import { createTestApp, type TestApp } from './harness.js';
import { PHONES } from './constants.js';

/**
 * Another town's rows are absent from every scoped list and export. The rows really exist: 沙窝镇's staff (and one of
 * its residents) make them through the API, 沙窝镇's admin sees them, and then neither 新集镇's admin nor the station
 * admin of 新集镇's first village finds them — not by id, not by name, not in the totals. A second set, made by
 * 新集镇's admin in another village of 新集镇, is seen by the town and not by the first village's station.
 */

type Json = Record<string, unknown>;
let t: TestApp;

const XINJI = '411523100';
const SHAWO = '411523101';
const MONTH = '2026-05'; // the month of the recorded (补录) activities: before the test clock (2026-06-01)

const api = (phone: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
async function ok(res: LightMyRequestResponse, status = 200) {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as Json;
}
const post = async (phone: string, url: string, payload: unknown, status = 201) =>
  ok(await api(phone, 'POST', url, payload), status);

/** Every cell of every sheet of an .xlsx answer, as text. */
async function cellsOf(res: LightMyRequestResponse): Promise<string[]> {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((r) => r.eachCell((c) => out.push(String(c.text)))));
  return out;
}

/** What one town (or village) makes through the API: one row in every list and export. */
type Made = {
  label: string;
  village: string;
  household: { id: string; name: string };
  volunteer: { id: string; name: string };
  wish: { id: string; title: string };
  activity: { id: string; title: string };
  claim: { id: string };
  order: { id: string };
  followUp: { id: string } | null;
  article: { id: string; title: string };
  publicity: { id: string; title: string };
};

let shawo: Made;
let sibling: Made;

/** A valid ID number of a person born in 1986 in 新县, unique by n. */
const idNumber = (n: number) => {
  const first = `41152319860115${String(n % 1000).padStart(3, '0')}`;
  return first + checkChar(first);
};

async function make(staff: string, village: string, tag: string, n: number, resident: string | null): Promise<Made> {
  const household = await post(staff, '/households', {
    headName: `${tag}户主`,
    regionCode: village,
    address: `${tag}村一组`,
    memberCount: 3,
  });
  const volunteer = await post(staff, '/volunteers', {
    name: `${tag}志愿者`,
    idNumber: idNumber(n),
    phone: `1370000${String(n).padStart(4, '0')}`,
    regionCode: village,
    verified: true,
  });
  const wish = await post(staff, '/wishes', {
    title: `${tag}心愿`,
    description: '想要一套过冬的棉被',
    value: 120,
    regionCode: village,
    beneficiaryName: `${tag}心愿人`,
    consentToPublish: true,
  });
  const article = await post(staff, '/articles', {
    column: 'news',
    title: `${tag}的草稿文章`,
    body: '<p>村里开展了文明实践活动。</p>',
    regionCode: village,
  });
  const publicity = await post(staff, '/publicity', {
    kind: 'poster',
    title: `${tag}宣传海报`,
    quantity: 10,
    day: '2026-05-20',
    regionCode: village,
  });
  // an activity held in May and recorded afterwards (补录), with one volunteer's sign-in sheet: a row of the
  // activities list and of all three ledgers
  const activity = await post(staff, '/activities/records', {
    title: `${tag}补录活动`,
    type: 'volunteer_service',
    regionCode: village,
    startAt: '2026-05-20T01:00:00Z',
    endAt: '2026-05-20T05:00:00Z',
    address: `${tag}村党群服务中心`,
    description: '清扫村道、整治人居环境',
    participants: 8,
    attendance: [{ volunteerId: volunteer.id, checkInAt: '2026-05-20T01:00:00Z', checkOutAt: '2026-05-20T04:00:00Z' }],
  });
  expect(activity.state).toBe('ended');
  // points for the household: an award (the dividend and the accounts list) and a claim (the claims list)
  const rules = (await ok(await api(staff, 'GET', '/point-rules'))).items as Json[];
  const rule = rules.find((r) => (r.points as number) > 0 && !r.evidenceRequired)!;
  expect(rule).toBeDefined();
  await post(
    staff,
    '/points/awards',
    { ruleId: rule.id, accountType: 'household', accountIds: [household.id], idempotencyKey: `leaks-${tag}` },
    200,
  );
  const claim = await post(staff, '/points/claims', {
    accountType: 'household',
    accountId: household.id,
    ruleId: rule.id,
    note: `${tag}申报`,
  });
  // an order: a resident's own, taken to a low rating (a follow-up); or ordered by the staff for the household (代点单)
  const items = (await ok(await api(resident ?? staff, 'GET', `/service-items?regionCode=${village}`))).items as Json[];
  const item = items.find((i) => (i.fields as unknown[]).length === 0)!;
  expect(item).toBeDefined();
  const order = await post(resident ?? staff, '/orders', {
    serviceItemId: item.id,
    description: `${tag}家里老人需要帮忙`,
    ...(resident ? {} : { householdId: household.id }),
  });
  let followUp: Made['followUp'] = null;
  if (resident) {
    const me = await ok(await api(PHONES.volunteer, 'GET', '/me'));
    await post(staff, `/orders/${order.id}/dispatch`, { target: { type: 'volunteer', id: me.volunteerId } }, 200);
    await post(PHONES.volunteer, `/orders/${order.id}/accept`, {}, 200);
    await post(staff, `/orders/${order.id}/complete`, { summary: '工作人员代为完成' }, 200);
    await post(resident, `/orders/${order.id}/rate`, { score: 1, comment: `${tag}来晚了` }, 200);
    const open = (await ok(await api(staff, 'GET', '/follow-ups?open=true'))).items as Json[];
    const f = open.find((x) => x.orderId === order.id);
    expect(f, `${tag}: 回访`).toBeDefined();
    followUp = { id: f!.id as string };
  }
  return {
    label: tag,
    village,
    household: { id: household.id as string, name: `${tag}户主` },
    volunteer: { id: volunteer.id as string, name: `${tag}志愿者` },
    wish: { id: wish.id as string, title: `${tag}心愿` },
    activity: { id: activity.id as string, title: `${tag}补录活动` },
    claim: { id: claim.id as string },
    order: { id: order.id as string },
    followUp,
    article: { id: article.id as string, title: `${tag}的草稿文章` },
    publicity: { id: publicity.id as string, title: `${tag}宣传海报` },
  };
}

/** The scoped lists: how to find a made row in one, by a query that would show it to a caller who may see it. */
type ListCase = {
  name: string;
  /** the list with no filter: its total must not move when another town adds a row */
  path: string;
  /** the id of the made row and a query that narrows the list to it */
  find: (m: Made) => { id: string; path: string } | null;
};

const LISTS: ListCase[] = [
  {
    name: 'orders board',
    path: '/orders?pageSize=200',
    find: (m) => ({ id: m.order.id, path: `/orders?q=${encodeURIComponent(`${m.label}家里老人`)}` }),
  },
  {
    name: 'households',
    path: '/households?pageSize=200',
    find: (m) => ({ id: m.household.id, path: `/households?q=${encodeURIComponent(m.household.name)}` }),
  },
  {
    name: 'volunteers',
    path: '/volunteers?pageSize=200',
    find: (m) => ({ id: m.volunteer.id, path: `/volunteers?q=${encodeURIComponent(m.volunteer.name)}` }),
  },
  {
    name: 'points accounts',
    path: '/points/accounts?pageSize=200',
    find: (m) => ({
      id: m.household.id,
      path: `/points/accounts?type=household&q=${encodeURIComponent(m.household.name)}`,
    }),
  },
  {
    name: 'points claims',
    path: '/points/claims?pageSize=200',
    find: (m) => ({ id: m.claim.id, path: `/points/claims?state=submitted&regionCode=${m.village}&pageSize=200` }),
  },
  {
    name: 'wishes',
    path: '/wishes?pageSize=200',
    find: (m) => ({ id: m.wish.id, path: `/wishes?q=${encodeURIComponent(m.wish.title)}` }),
  },
  {
    name: 'activities',
    path: '/activities?pageSize=200',
    find: (m) => ({ id: m.activity.id, path: `/activities?q=${encodeURIComponent(m.activity.title)}` }),
  },
  {
    name: 'follow-ups',
    path: '/follow-ups',
    find: (m) => (m.followUp ? { id: m.followUp.id, path: '/follow-ups?open=true' } : null),
  },
  {
    name: 'articles',
    path: '/articles?pageSize=200',
    find: (m) => ({ id: m.article.id, path: `/articles?q=${encodeURIComponent(m.article.title)}` }),
  },
  {
    name: 'publicity',
    path: '/publicity?pageSize=200',
    find: (m) => ({ id: m.publicity.id, path: `/publicity?q=${encodeURIComponent(m.publicity.title)}` }),
  },
];

/** The ids a list answers (points accounts are found by their owner, the household). */
const idsOf = (name: string, body: Json) =>
  (body.items as Json[]).map((i) => (name === 'points accounts' ? i.ownerId : i.id) as string);

const totalOf = async (phone: string, path: string) => {
  const body = await ok(await api(phone, 'GET', path));
  return (body.total as number | undefined) ?? (body.items as unknown[]).length;
};

const VIEWERS = [PHONES.xinjiAdmin, PHONES.stationAdmin] as const;
const before = new Map<string, number>();

beforeAll(async () => {
  t = await createTestApp();
  const villagesOf = async (town: string) =>
    ((await ok(await api(PHONES.countyAdmin, 'GET', `/regions?parent=${town}`))).items as { code: string }[]).map(
      (r) => r.code,
    );
  const station = (await ok(await api(PHONES.stationAdmin, 'GET', '/me'))).regionCode as string;
  const shawoVillage = (await ok(await api(PHONES.shawoResident, 'GET', '/me'))).regionCode as string;
  const siblingVillage = (await villagesOf(XINJI)).find((c) => c !== station)!;
  for (const l of LISTS) for (const v of VIEWERS) before.set(`${l.name}:${v}`, await totalOf(v, l.path));
  shawo = await make(PHONES.shawoAdmin, shawoVillage, '沙窝漏测', 901, PHONES.shawoResident);
  sibling = await make(PHONES.xinjiAdmin, siblingVillage, '邻村漏测', 902, null);
}, 300_000);
afterAll(async () => {
  await t?.close();
});

describe('lists: another town’s rows are absent', () => {
  it.each(LISTS)('$name', async (l) => {
    const seen = async (phone: string, m: Made) => {
      const f = l.find(m)!;
      return idsOf(l.name, await ok(await api(phone, 'GET', f.path))).includes(f.id);
    };
    // the rows exist, and the query finds them for the staff who may see them
    if (l.find(shawo)) {
      expect(await seen(PHONES.shawoAdmin, shawo)).toBe(true);
      expect(await seen(PHONES.countyAdmin, shawo)).toBe(true);
      expect(await seen(PHONES.xinjiAdmin, shawo)).toBe(false);
      expect(await seen(PHONES.stationAdmin, shawo)).toBe(false);
    }
    if (l.find(sibling)) {
      expect(await seen(PHONES.xinjiAdmin, sibling)).toBe(true);
      expect(await seen(PHONES.stationAdmin, sibling)).toBe(false);
    }
    // the viewers' totals did not move: the 新集镇 admin gained only the sibling village's row, the station nothing
    const gained = l.find(sibling) ? 1 : 0;
    expect(await totalOf(PHONES.xinjiAdmin, l.path)).toBe(before.get(`${l.name}:${PHONES.xinjiAdmin}`)! + gained);
    expect(await totalOf(PHONES.stationAdmin, l.path)).toBe(before.get(`${l.name}:${PHONES.stationAdmin}`));
  });
});

describe('exports: another town’s rows are absent', () => {
  it('volunteer roster (.xlsx)', async () => {
    const of = async (phone: string) => cellsOf(await api(phone, 'GET', '/volunteers/export'));
    expect(await of(PHONES.shawoAdmin)).toContain(shawo.volunteer.name);
    const xinji = await of(PHONES.xinjiAdmin);
    expect(xinji).toContain(sibling.volunteer.name);
    expect(xinji).not.toContain(shawo.volunteer.name);
    const station = await of(PHONES.stationAdmin);
    expect(station.length).toBeGreaterThan(20);
    expect(station).not.toContain(shawo.volunteer.name);
    expect(station).not.toContain(sibling.volunteer.name);
    // filtered by the other town, as the list is: the header row and nothing else
    const filtered = await cellsOf(await api(PHONES.xinjiAdmin, 'GET', `/volunteers/export?regionCode=${SHAWO}`));
    expect(filtered).toHaveLength(12);
    expect(filtered[1]).toBe('姓名');
  });

  it.each(['activities', 'attendance', 'hours'])('the %s ledger (台账)', async (kind) => {
    const of = async (phone: string, region: string) =>
      cellsOf(await api(phone, 'GET', `/ledgers/${kind}?regionCode=${region}&month=${MONTH}`));
    // activities and attendance name the activity; the hours ledger names it and the volunteer
    const shown = (m: Made) => (kind === 'hours' ? [m.activity.title, m.volunteer.name] : [m.activity.title]);
    const shawoLedger = await of(PHONES.shawoAdmin, SHAWO);
    for (const s of shown(shawo)) expect(shawoLedger).toContain(s);
    const xinji = await of(PHONES.xinjiAdmin, XINJI);
    for (const s of shown(sibling)) expect(xinji).toContain(s);
    for (const s of shown(shawo)) expect(xinji).not.toContain(s);
    const stationRes = await api(PHONES.stationAdmin, 'GET', `/ledgers/${kind}?month=${MONTH}`);
    const station = await cellsOf(stationRes);
    for (const s of [...shown(shawo), ...shown(sibling)]) expect(station).not.toContain(s);
    expect(
      (await api(PHONES.xinjiAdmin, 'GET', `/ledgers/${kind}?regionCode=${SHAWO}&month=${MONTH}`)).statusCode,
    ).toBe(404);
  });

  it('points dividend (JSON and .xlsx)', async () => {
    const rows = async (phone: string) =>
      (await ok(await api(phone, 'GET', '/points/dividend?year=2026'))).rows as { account: Json }[];
    const owners = async (phone: string) => (await rows(phone)).map((r) => r.account.ownerId);
    expect(await owners(PHONES.countyAdmin)).toContain(shawo.household.id);
    const shawoRows = await rows(PHONES.shawoAdmin);
    const shawoName = shawoRows.find((r) => r.account.ownerId === shawo.household.id)?.account.name as string;
    expect(shawoName).toContain(shawo.household.name);
    const xinjiRows = await rows(PHONES.xinjiAdmin);
    const siblingName = xinjiRows.find((r) => r.account.ownerId === sibling.household.id)?.account.name as string;
    expect(siblingName).toContain(sibling.household.name);
    expect(xinjiRows.map((r) => r.account.ownerId)).not.toContain(shawo.household.id);
    const station = await owners(PHONES.stationAdmin);
    expect(station.length).toBeGreaterThan(0);
    expect(station).not.toContain(shawo.household.id);
    expect(station).not.toContain(sibling.household.id);

    const sheet = async (phone: string) => cellsOf(await api(phone, 'GET', '/points/dividend?year=2026&format=xlsx'));
    expect(await sheet(PHONES.shawoAdmin)).toContain(shawoName);
    const xinjiSheet = await sheet(PHONES.xinjiAdmin);
    expect(xinjiSheet).toContain(siblingName);
    expect(xinjiSheet).not.toContain(shawoName);
    const stationSheet = await sheet(PHONES.stationAdmin);
    expect(stationSheet.length).toBeGreaterThan(10);
    expect(stationSheet).not.toContain(shawoName);
    expect(stationSheet).not.toContain(siblingName);
    expect((await api(PHONES.xinjiAdmin, 'GET', `/points/dividend?year=2026&regionCode=${SHAWO}`)).statusCode).toBe(
      404,
    );
  });
});

describe('details: another town’s rows are not found', () => {
  it('each made row answers 404 to the other town and to the station', async () => {
    const details = (m: Made) => [
      `/orders/${m.order.id}`,
      `/wishes/${m.wish.id}`,
      // (not the activity: a held activity is public to everyone in the county, like the 活动 tab of the H5)
      `/volunteers/${m.volunteer.id}`,
      `/points/claims/${m.claim.id}`,
      `/points/accounts/household/${m.household.id}`,
      `/articles/${m.article.id}`,
      `/publicity/${m.publicity.id}`,
    ];
    for (const url of details(shawo)) {
      expect((await api(PHONES.shawoAdmin, 'GET', url)).statusCode, url).toBe(200);
      expect((await api(PHONES.xinjiAdmin, 'GET', url)).statusCode, url).toBe(404);
      expect((await api(PHONES.stationAdmin, 'GET', url)).statusCode, url).toBe(404);
    }
    for (const url of details(sibling)) {
      expect((await api(PHONES.xinjiAdmin, 'GET', url)).statusCode, url).toBe(200);
      expect((await api(PHONES.stationAdmin, 'GET', url)).statusCode, url).toBe(404);
    }
  });
});
