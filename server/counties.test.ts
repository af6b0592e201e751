import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from './test/harness.js';
import { DEMO_PASSWORD, PHONES } from './test/constants.js';
import { AppError } from './platform/errors.js';
import { createAdmin, initCounty } from './setup.js';

// One deployment, two counties side by side: the demo county 411523 新县 and 131127 景县, initialised as `cli init`
// does, each with its own admin (`cli create-admin`), residents, settings, records and public boards.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OTHER = '131127';
const OTHER_ADMIN = '13300000201';
const PUBLIC_BOARDS = [
  '/public/wishes',
  '/public/honors',
  '/public/honors/notices',
  '/public/star-notices',
  '/public/points-notices',
];

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url });
const post = (url: string, payload: Json) => t.app.inject({ method: 'POST', url, payload });
const as = (phone: string, opts: InjectOptions) => t.as(phone)(opts);
async function firstVillage(county: string) {
  const town = (await get(`/api/v1/regions?parent=${county}`)).json().items[0];
  const village = (await get(`/api/v1/regions?parent=${town.code}`)).json().items[0];
  expect(village.level).toBe('village');
  return village.code as string;
}
async function failure(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('one initialised county', () => {
  it('is the default of create-admin and of the public boards', async () => {
    const admin = await createAdmin(t.deps, { phone: '13300000200', password: DEMO_PASSWORD, name: '单县管理员' });
    expect(admin).toMatchObject({ created: true, county: '411523' });
    for (const url of PUBLIC_BOARDS) expect((await get(`/api/v1${url}`)).statusCode, url).toBe(200);
    expect((await get('/api/v1/public/wishes')).json().items.length).toBeGreaterThan(0);
  });
});

describe('two counties side by side', () => {
  let otherVillage: string;
  let demoVillage: string;

  beforeAll(async () => {
    const r = await initCounty(t.deps, OTHER);
    expect(r.towns).toBeGreaterThan(0);
    expect(r.villages).toBeGreaterThan(0);
    otherVillage = await firstVillage(OTHER);
    demoVillage = await firstVillage('411523');
  });

  it('lists both counties as the roots of the region tree', async () => {
    const codes = (await get('/api/v1/regions')).json().items.map((c: Json) => c.code);
    expect(codes).toEqual(['131127', '411523']);
  });

  it('create-admin needs --county and names the counties; with it, the admin works on that county', async () => {
    const e = await failure(createAdmin(t.deps, { phone: OTHER_ADMIN, password: DEMO_PASSWORD, name: '景县管理员' }));
    expect(e.details[0].path).toBe('--county');
    expect(e.message).toContain('131127');
    expect(e.message).toContain('411523');
    const unknown = await failure(
      createAdmin(t.deps, { phone: OTHER_ADMIN, password: DEMO_PASSWORD, name: '景县管理员', county: '130101' }),
    );
    expect(unknown.message).toContain('尚未初始化');

    const admin = await createAdmin(t.deps, {
      phone: OTHER_ADMIN,
      password: DEMO_PASSWORD,
      name: '景县管理员',
      county: OTHER,
    });
    expect(admin).toMatchObject({ created: true, county: OTHER });
    // the password was typed on the command line: the admin sets their own before working
    expect((await as(OTHER_ADMIN, { method: 'GET', url: '/api/v1/settings' })).json().error.code).toBe(
      'PASSWORD_CHANGE_REQUIRED',
    );
    for (const [oldPassword, newPassword] of [
      [DEMO_PASSWORD, 'Jingxian@2026'],
      ['Jingxian@2026', DEMO_PASSWORD],
    ])
      expect(
        (await as(OTHER_ADMIN, { method: 'POST', url: '/api/v1/me/password', payload: { oldPassword, newPassword } }))
          .statusCode,
      ).toBe(204);
    const me = (await as(OTHER_ADMIN, { method: 'GET', url: '/api/v1/me' })).json();
    expect(me.mustChangePassword).toBe(false);
    expect(me.roles).toEqual([expect.objectContaining({ role: 'county_admin', regionCode: OTHER, scope: 'subtree' })]);
  });

  it('public boards need ?county= and show only that county', async () => {
    for (const url of PUBLIC_BOARDS) {
      const none = await get(`/api/v1${url}`);
      expect(none.statusCode, url).toBe(400);
      expect(none.json().error.details[0].path).toBe('county');
      expect(none.json().error.message).toContain('131127');
      expect((await get(`/api/v1${url}?county=${OTHER}`)).statusCode, url).toBe(200);
      expect((await get(`/api/v1${url}?county=130101`)).statusCode, url).toBe(400);
    }
    expect((await get('/api/v1/public/wishes?county=411523')).json().items.length).toBeGreaterThan(0);
    expect((await get(`/api/v1/public/wishes?county=${OTHER}`)).json().items).toEqual([]);
    expect((await get(`/api/v1/public/honors?county=${OTHER}`)).json().items).toEqual([]);
  });

  it('residents sign up in a village of either county, which decides their county', async () => {
    const a = await post('/api/v1/auth/register', {
      name: '景县群众',
      phone: '13300000202',
      password: 'Resident@1',
      regionCode: otherVillage,
    });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json().user.roles[0]).toMatchObject({ role: 'resident', regionCode: otherVillage });
    const b = await post('/api/v1/auth/register', {
      name: '新县群众',
      phone: '13300000203',
      password: 'Resident@1',
      regionCode: demoVillage,
    });
    expect(b.statusCode, b.body).toBe(201);
    const town = await post('/api/v1/auth/register', {
      name: '乡镇',
      phone: '13300000204',
      password: 'Resident@1',
      regionCode: otherVillage.slice(0, 9) + '000',
    });
    expect(town.statusCode).toBe(400);
    expect(town.json().error.details[0].path).toBe('regionCode');
  });

  it("settings are the county's own; SMS codes follow the village's county", async () => {
    const put = await as(OTHER_ADMIN, {
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'notify.smsWebhookUrl': 'http://127.0.0.1:9/', 'points.noticeDays': 3 },
    });
    expect(put.statusCode, put.body).toBe(200);
    const mine = (await as(OTHER_ADMIN, { method: 'GET', url: '/api/v1/settings' })).json();
    expect(mine['points.noticeDays']).toBe(3);
    const demo = (await as(PHONES.countyAdmin, { method: 'GET', url: '/api/v1/settings' })).json();
    expect(demo['points.noticeDays']).not.toBe(3);
    expect(demo['notify.smsWebhookUrl']).toBe('');

    const other = await post('/api/v1/auth/sms-code', { phone: '13300000205', regionCode: otherVillage });
    expect(other.json()).toMatchObject({ sent: true, required: true });
    const demoCode = await post('/api/v1/auth/sms-code', { phone: '13300000206', regionCode: demoVillage });
    expect(demoCode.json()).toMatchObject({ sent: false, required: false });
    const none = await post('/api/v1/auth/sms-code', { phone: '13300000207' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details[0].path).toBe('regionCode');
    // signing up in 景县 now needs the code; in 新县 it does not
    const noCode = await post('/api/v1/auth/register', {
      name: '待验证',
      phone: '13300000205',
      password: 'Resident@1',
      regionCode: otherVillage,
    });
    expect(noCode.json().error.details[0].path).toBe('code');
  });

  it("records, lists, rules and boards of one county never show in the other's", async () => {
    const wish = await as(OTHER_ADMIN, {
      method: 'POST',
      url: '/api/v1/wishes',
      payload: {
        title: '景县的心愿',
        description: '想要一台收音机',
        value: 80,
        regionCode: otherVillage,
        beneficiaryName: '李大娘',
        consentToPublish: false,
      },
    });
    expect(wish.statusCode, wish.body).toBe(201);
    const id = wish.json().id as string;
    for (const action of ['verify', 'publish'])
      expect(
        (await as(OTHER_ADMIN, { method: 'POST', url: `/api/v1/wishes/${id}/${action}`, payload: {} })).statusCode,
      ).toBe(200);

    const otherList = (await as(OTHER_ADMIN, { method: 'GET', url: '/api/v1/wishes?pageSize=200' })).json().items;
    expect(otherList.map((w: Json) => w.id)).toEqual([id]);
    const demoList = (await as(PHONES.countyAdmin, { method: 'GET', url: '/api/v1/wishes?pageSize=200' })).json().items;
    expect(demoList.length).toBeGreaterThan(0);
    expect(demoList.map((w: Json) => w.id)).not.toContain(id);
    expect((await as(PHONES.countyAdmin, { method: 'GET', url: `/api/v1/wishes/${id}` })).statusCode).toBe(404);

    const otherWall = (await get(`/api/v1/public/wishes?county=${OTHER}`)).json().items;
    expect(otherWall.map((w: Json) => w.id)).toEqual([id]);
    const demoWall = (await get('/api/v1/public/wishes?county=411523&pageSize=200')).json().items;
    expect(demoWall.length).toBeGreaterThan(0);
    expect(demoWall.map((w: Json) => w.id)).not.toContain(id);
    // the region decides the county of a board asked by region alone
    const byRegion = (await get(`/api/v1/public/wishes?regionCode=${otherVillage}`)).json().items;
    expect(byRegion.map((w: Json) => w.id)).toEqual([id]);

    const rule = await as(OTHER_ADMIN, {
      method: 'POST',
      url: '/api/v1/point-rules',
      payload: { name: '景县孝老爱亲', category: 'reward', group: 'neighbourhood', points: 5 },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    const demoRules = (await as(PHONES.countyAdmin, { method: 'GET', url: '/api/v1/point-rules' })).json().items;
    expect(demoRules.length).toBeGreaterThan(0);
    expect(demoRules.map((r: Json) => r.name)).not.toContain('景县孝老爱亲');
    const otherRules = (await as(OTHER_ADMIN, { method: 'GET', url: '/api/v1/point-rules' })).json().items;
    expect(otherRules.map((r: Json) => r.name)).toContain('景县孝老爱亲');

    const otherVolunteers = (await as(OTHER_ADMIN, { method: 'GET', url: '/api/v1/volunteers' })).json();
    expect(otherVolunteers.total).toBe(0);
    const demoVolunteers = (await as(PHONES.countyAdmin, { method: 'GET', url: '/api/v1/volunteers' })).json();
    expect(demoVolunteers.total).toBeGreaterThan(0);
  });
});
