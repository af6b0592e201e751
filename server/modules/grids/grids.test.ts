import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { listsOf } from '../../platform/lists.js';

let t: TestApp;
const XINJI = '411523100';
const STATION = PHONES.stationAdmin; // 王站长, first village of 新集镇
const LINK = PHONES.volunteer; // 李志愿, a volunteer of the same village: the link volunteer (联户长)
let village: string;
let otherVillage: string;
let shawoVillage: string;
let leaderId: string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const api = (phone: string | null, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.as(phone)({ method, url: `/api/v1${url}`, ...(payload !== undefined ? { payload: payload as Json } : {}) });
const one = async (sql: string, params: unknown[] = []) => (await t.deps.database.query(sql, params)).rows[0] as Json;
async function ok(
  phone: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  status = 200,
) {
  const res = await api(phone, method, url, payload);
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as Json;
}
const tinyPng = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d' +
    '0000000049454e44ae426082',
  'hex',
);
async function upload(phone: string) {
  const boundary = '----wm' + Math.random().toString(16).slice(2);
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.png"\r\nContent-Type: ` +
        `image/png\r\n\r\n`,
    ),
    tinyPng,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.as(phone)({
    method: 'POST',
    url: '/api/v1/files',
    payload: body,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}
async function household(phone: string, regionCode: string, headName: string) {
  return (await ok(phone, 'POST', '/households', { headName, regionCode, address: '一组 8 号' }, 201)).id as string;
}

beforeAll(async () => {
  t = await createTestApp();
  village = (await one(`select region_code from users where name = '王站长'`)).region_code;
  otherVillage = (
    await one(`select code from regions where parent_code = $1 and code <> $2 order by code limit 1`, [XINJI, village])
  ).code;
  shawoVillage = (await one(`select region_code from users where name = '孙大爷'`)).region_code;
  leaderId = (await one(`select v.id from volunteers v join users u on u.id = v.user_id where u.name = '李志愿'`)).id;
});
afterAll(async () => {
  await t?.close();
});

describe('demo data', () => {
  it('the demo county has grids led by 李志愿, pairings, visits that raised a wish and an order, all by day', async () => {
    const mine = await ok(LINK, 'GET', '/me/grid-households');
    expect(mine.items.length).toBeGreaterThanOrEqual(5);
    const visits = await ok(STATION, 'GET', '/visits?pageSize=200');
    expect(visits.total).toBeGreaterThanOrEqual(5);
    expect(visits.items.some((v: Json) => v.raisedKind === 'wish')).toBe(true);
    expect(visits.items.some((v: Json) => v.raisedKind === 'order')).toBe(true);
    for (const v of visits.items) {
      expect(new Date(v.visitedAt).getTime()).toBeLessThanOrEqual(t.clock.now().getTime());
      const hour = (new Date(v.visitedAt).getUTCHours() + 8) % 24;
      expect(hour, v.visitedAt).toBeGreaterThanOrEqual(8);
      expect(hour, v.visitedAt).toBeLessThan(21);
    }
    // the first households' visits were photographed; the station reads the photos, a station of another town not
    const photographed = visits.items.filter((v: Json) => v.photoIds.length > 0);
    expect(photographed.length).toBeGreaterThanOrEqual(2);
    const photo = await api(STATION, 'GET', `/files/${photographed[0].photoIds[0]}`);
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/png');
    expect((await api(PHONES.shawoAdmin, 'GET', `/files/${photographed[0].photoIds[0]}`)).statusCode).toBe(404);
    expect((await ok(STATION, 'GET', '/pairings')).total).toBeGreaterThanOrEqual(5);
    expect((await ok(PHONES.resident, 'GET', '/me/surveys')).items.length).toBeGreaterThanOrEqual(1);
  });
});

describe('grids and links (联户)', () => {
  it('a station admin builds a grid in their village and links its households, not one outside it', async () => {
    const h1 = await household(STATION, village, '网格甲');
    const h2 = await household(STATION, village, '网格乙');
    const far = await household(PHONES.xinjiAdmin, otherVillage, '邻村丙');
    const g = await ok(
      STATION,
      'POST',
      '/grids',
      { name: '测试甲网格', regionCode: village, leaderVolunteerId: leaderId },
      201,
    );
    expect(g.leaderName).toBe('李志愿');
    expect(g.actions).toEqual(expect.arrayContaining(['link', 'unlink']));
    const linked = await ok(STATION, 'POST', `/grids/${g.id}/links`, { householdIds: [h1, h2] });
    expect(linked.households).toBe(2);
    expect(linked.householdList.map((h: Json) => h.headName).sort()).toEqual(['网格乙', '网格甲'].sort());
    // the institute admin of the town may link, but a household of another village is refused, naming the field
    const bad = await api(PHONES.xinjiAdmin, 'POST', `/grids/${g.id}/links`, { householdIds: [far] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('householdIds');
    expect(bad.json().error.message).toContain('邻村丙');
    // a household is in one grid at a time
    const g2 = await ok(
      STATION,
      'POST',
      '/grids',
      { name: '测试乙网格', regionCode: village, leaderVolunteerId: leaderId },
      201,
    );
    const twice = await api(STATION, 'POST', `/grids/${g2.id}/links`, { householdIds: [h1] });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('DUPLICATE');
    // linking again to the same grid is harmless; unlinking frees the household
    await ok(STATION, 'POST', `/grids/${g.id}/links`, { householdIds: [h1] });
    await ok(STATION, 'DELETE', `/grids/${g.id}/links/${h1}`);
    expect((await ok(STATION, 'POST', `/grids/${g2.id}/links`, { householdIds: [h1] })).households).toBe(1);
    // a duplicate name in the village → 409; a grid must be in a village
    expect(
      (await api(STATION, 'POST', '/grids', { name: '测试甲网格', regionCode: village, leaderVolunteerId: leaderId }))
        .statusCode,
    ).toBe(409);
    const town = await api(PHONES.xinjiAdmin, 'POST', '/grids', {
      name: '镇网格',
      regionCode: XINJI,
      leaderVolunteerId: leaderId,
    });
    expect(town.statusCode).toBe(400);
    expect(town.json().error.details[0].path).toBe('regionCode');
    // bad input never 500s
    const junk = await api(STATION, 'POST', `/grids/${g.id}/links`, { householdIds: ['x'] });
    expect(junk.statusCode).toBe(400);
  });

  it("another town's staff see none of the grids, and cannot open one (404)", async () => {
    const g = await ok(
      STATION,
      'POST',
      '/grids',
      { name: '保密网格', regionCode: village, leaderVolunteerId: leaderId },
      201,
    );
    const list = await ok(PHONES.shawoAdmin, 'GET', '/grids?pageSize=200');
    expect(list.items.some((x: Json) => x.id === g.id)).toBe(false);
    expect((await api(PHONES.shawoAdmin, 'GET', `/grids/${g.id}`)).statusCode).toBe(404);
    expect((await ok(PHONES.countyAdmin, 'GET', '/grids?pageSize=200')).items.some((x: Json) => x.id === g.id)).toBe(
      true,
    );
    // the link volunteer sees their grid but may not change it; a resident may not list grids
    expect((await ok(LINK, 'GET', `/grids/${g.id}`)).actions).toEqual(['visit']);
    expect((await api(LINK, 'POST', `/grids/${g.id}/links`, { householdIds: [] })).statusCode).toBe(403);
    expect((await api(PHONES.resident, 'GET', '/grids')).statusCode).toBe(403);
    expect((await api(PHONES.auditor, 'GET', '/grids')).statusCode).toBe(403);
  });
});

describe('pairings (结亲 1+N)', () => {
  it('pairs a cadre with N households, one cadre per household, scoped', async () => {
    const a = await household(STATION, village, '结亲甲');
    const b = await household(STATION, village, '结亲乙');
    const cadre = (await one(`select id from users where name = '王站长'`)).id;
    const made = await ok(PHONES.xinjiAdmin, 'POST', '/pairings', { cadreUserId: cadre, householdIds: [a, b] }, 201);
    expect(made.items).toHaveLength(2);
    const again = await api(PHONES.xinjiAdmin, 'POST', '/pairings', { cadreUserId: cadre, householdIds: [a] });
    expect(again.statusCode).toBe(409);
    const resident = (await one(`select id from users where name = '赵大娘'`)).id;
    const notStaff = await api(STATION, 'POST', '/pairings', { cadreUserId: resident, householdIds: [a] });
    expect(notStaff.statusCode).toBe(400);
    expect(notStaff.json().error.details[0].path).toBe('cadreUserId');
    const mine = await ok(STATION, 'GET', `/pairings?cadreUserId=${cadre}&pageSize=200`);
    expect(mine.items.map((p: Json) => p.headName)).toEqual(expect.arrayContaining(['结亲甲', '结亲乙']));
    expect(
      (await ok(PHONES.shawoAdmin, 'GET', '/pairings?pageSize=200')).items.some((p: Json) => p.householdId === a),
    ).toBe(false);
    const pa = made.items.find((p: Json) => p.householdId === a).id;
    expect((await api(PHONES.shawoAdmin, 'DELETE', `/pairings/${pa}`)).statusCode).toBe(404);
    expect((await api(STATION, 'DELETE', `/pairings/${pa}`)).statusCode).toBe(204);
    // the paired cadre sees the remaining household among theirs
    const my = await ok(STATION, 'GET', '/me/grid-households');
    expect(my.items.some((h: Json) => h.id === b)).toBe(true);
    expect(my.items.some((h: Json) => h.id === a)).toBe(false);
  });
});

describe('visits (走访)', () => {
  let gridId: string;
  let mine: string;
  let notMine: string;
  beforeAll(async () => {
    mine = await household(STATION, village, '走访户');
    notMine = await household(STATION, village, '别组户');
    gridId = (
      await ok(STATION, 'POST', '/grids', { name: '走访网格', regionCode: village, leaderVolunteerId: leaderId }, 201)
    ).id;
    await ok(STATION, 'POST', `/grids/${gridId}/links`, { householdIds: [mine] });
  });

  it('the link volunteer sees their households and logs a visit that raises a wish, in one step', async () => {
    const my = await ok(LINK, 'GET', '/me/grid-households');
    expect(my.items.some((h: Json) => h.id === mine)).toBe(true);
    expect(my.items.some((h: Json) => h.id === notMine)).toBe(false);
    const v = await ok(
      LINK,
      'POST',
      '/visits',
      {
        householdId: mine,
        note: '老人腿脚不便，想要一副助行器',
        visitedAt: new Date(t.clock.now().getTime() - 3600_000).toISOString(),
        raise: {
          kind: 'wish',
          title: '想要一副助行器',
          description: '老人腿脚不便',
          value: 150,
          consentToPublish: false,
        },
      },
      201,
    );
    expect(v.visitorRole).toBe('link');
    expect(v.raisedKind).toBe('wish');
    expect(v.raisedTitle).toBe('想要一副助行器');
    expect(v.raisedStateName).toBe('待核实');
    const wish = await ok(STATION, 'GET', `/wishes/${v.raisedId}`);
    expect(wish.beneficiaryName).toBe('走访户');
    // the station sees the visit; another town does not
    expect((await ok(STATION, 'GET', '/visits?pageSize=200')).items.some((x: Json) => x.id === v.id)).toBe(true);
    expect((await ok(PHONES.shawoAdmin, 'GET', '/visits?pageSize=200')).items.some((x: Json) => x.id === v.id)).toBe(
      false,
    );
    expect((await api(PHONES.shawoAdmin, 'GET', `/visits/${v.id}`)).statusCode).toBe(404);
    // the grid shows the household's last visit
    const grid = await ok(LINK, 'GET', `/grids/${gridId}`);
    expect(grid.householdList.find((h: Json) => h.id === mine).lastVisitedAt).toBeTruthy();
    // the volunteer's own list holds it
    expect((await ok(LINK, 'GET', '/visits')).items.map((x: Json) => x.id)).toContain(v.id);
  });

  it('a visit keeps its photos, readable by staff in scope and not by another town', async () => {
    const photo = await upload(LINK);
    const v = await ok(
      LINK,
      'POST',
      '/visits',
      { householdId: mine, note: '院子收拾得很干净', photoIds: [photo] },
      201,
    );
    expect(v.photoIds).toEqual([photo]);
    expect((await ok(STATION, 'GET', `/visits/${v.id}`)).photoIds).toEqual([photo]);
    const listed = (await ok(STATION, 'GET', '/visits?pageSize=200')).items.find((x: Json) => x.id === v.id);
    expect(listed.photoIds).toEqual([photo]);
    for (const phone of [STATION, PHONES.xinjiAdmin]) {
      const res = await api(phone, 'GET', `/files/${photo}`);
      expect(res.statusCode, phone).toBe(200);
      expect(res.headers['content-type']).toContain('image/png');
    }
    expect((await api(PHONES.shawoAdmin, 'GET', `/files/${photo}`)).statusCode).toBe(404);
    // more than the form's six … the API caps a visit at nine
    const many = await api(LINK, 'POST', '/visits', {
      householdId: mine,
      note: '照片太多',
      photoIds: Array.from({ length: 10 }, () => photo),
    });
    expect(many.statusCode).toBe(400);
    expect(many.json().error.details[0].path).toMatch(/^photoIds/);
  });

  it('a link volunteer may not visit a household outside their grid; a visit in the future is refused', async () => {
    const res = await api(LINK, 'POST', '/visits', { householdId: notMine, note: '路过看看' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('householdId');
    const future = await api(LINK, 'POST', '/visits', {
      householdId: mine,
      note: '明天再来',
      visitedAt: new Date(t.clock.now().getTime() + 86400_000).toISOString(),
    });
    expect(future.statusCode).toBe(400);
    expect(future.json().error.details[0].path).toBe('visitedAt');
    const kind = await api(LINK, 'POST', '/visits', { householdId: mine, note: '走访', raise: { kind: 'gift' } });
    expect(kind.statusCode).toBe(400);
  });

  it('a visit raises an order (代点单) through the orders service; a failed order leaves no visit behind', async () => {
    const item = await one(
      `select id from service_items where active and fields = '[]'::jsonb and $1 like region_path || '%' limit 1`,
      [(await one(`select path from regions where code = $1`, [village])).path],
    );
    const before = Number((await one(`select count(*) from visits where household_id = $1`, [mine])).count);
    const bad = await api(LINK, 'POST', '/visits', {
      householdId: mine,
      note: '需要上门理发',
      raise: { kind: 'order', serviceItemId: '00000000-0000-4000-8000-000000000000', description: '上门理发' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('raise.serviceItemId');
    expect(Number((await one(`select count(*) from visits where household_id = $1`, [mine])).count)).toBe(before);
    const v = await ok(
      LINK,
      'POST',
      '/visits',
      {
        householdId: mine,
        note: '需要上门理发',
        raise: { kind: 'order', serviceItemId: item.id, description: '上门理发' },
      },
      201,
    );
    expect(v.raisedKind).toBe('order');
    const order = await one(`select household_id, proxy_user_id, state from orders where id = $1`, [v.raisedId]);
    expect(order.household_id).toBe(mine);
    expect(order.state).toBe('submitted');
    // staff see the order on their board
    expect((await ok(STATION, 'GET', `/orders/${v.raisedId}`)).id).toBe(v.raisedId);
    const audit = await one(`select count(*) from audit_events where action = 'visit.create' and entity_id = $1`, [
      v.id,
    ]);
    expect(Number(audit.count)).toBe(1);
  });

  it('coverage per village adds up to the town, scoped', async () => {
    const month = new Date(t.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 7);
    const town = await ok(PHONES.xinjiAdmin, 'GET', `/grids/coverage?regionCode=${XINJI}&month=${month}`);
    const sum = (k: string) => town.items.reduce((s: number, r: Json) => s + r[k], 0);
    for (const k of ['households', 'linked', 'paired', 'visits', 'visited']) expect(sum(k), k).toBe(town.total[k]);
    const row = town.items.find((r: Json) => r.regionCode === village);
    expect(row.linked).toBeGreaterThanOrEqual(1);
    expect(row.paired).toBeGreaterThanOrEqual(1);
    expect(row.visits).toBeGreaterThanOrEqual(2);
    expect(row.visited).toBeLessThanOrEqual(row.visits);
    const county = await ok(PHONES.countyAdmin, 'GET', `/grids/coverage?month=${month}`);
    expect(county.items.find((r: Json) => r.regionCode === XINJI).households).toBe(town.total.households);
    expect((await api(PHONES.shawoAdmin, 'GET', `/grids/coverage?regionCode=${XINJI}`)).statusCode).toBe(404);
    expect((await api(STATION, 'GET', `/grids/coverage?month=2026-13`)).statusCode).toBe(400);
    const station = await ok(STATION, 'GET', `/grids/coverage?month=${month}`);
    expect(station.items).toHaveLength(1);
    expect(station.items[0].regionCode).toBe(village);
  });
});

describe('shawo', () => {
  it('a shawo household cannot be linked into a xinji grid even by the county', async () => {
    const h = await household(PHONES.shawoAdmin, shawoVillage, '沙窝户');
    const g = await ok(
      PHONES.countyAdmin,
      'POST',
      '/grids',
      { name: '县建网格', regionCode: village, leaderVolunteerId: leaderId },
      201,
    );
    const res = await api(PHONES.countyAdmin, 'POST', `/grids/${g.id}/links`, { householdIds: [h] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('householdIds');
  });
});

describe('the grid and visit lists are kept by the list cache, never stale', () => {
  const hits = () => listsOf(t.deps).cache!.stats().hits;
  const version = async (group: string) =>
    (await one(`select coalesce(sum(version), 0)::int as v from cache_versions where name = $1`, [`${group}:411523`]))
      .v as number;

  it('grids: a kept page answers again; writes through the service and straight into the database show at once', async () => {
    const url = `/grids?pageSize=200&regionCode=${village}`;
    const before = await ok(STATION, 'GET', url);
    const h0 = hits();
    expect(await ok(STATION, 'GET', url)).toEqual(before);
    expect(hits()).toBe(h0 + 1);
    // through the service: a new grid, then a household linked into it
    const g = await ok(
      STATION,
      'POST',
      '/grids',
      { name: '缓存网格', regionCode: village, leaderVolunteerId: leaderId },
      201,
    );
    const created = await ok(STATION, 'GET', url);
    expect(created.total).toBe(before.total + 1);
    expect(created.items.find((x: Json) => x.id === g.id).households).toBe(0);
    await ok(STATION, 'POST', `/grids/${g.id}/links`, { householdIds: [await household(STATION, village, '缓存户')] });
    expect((await ok(STATION, 'GET', url)).items.find((x: Json) => x.id === g.id).households).toBe(1);
    // straight into the database: a rename, a link removed, the leader's name (another table the list reads)
    const v0 = await version('grids');
    await t.deps.database.query(`update grids set name = '直接改名网格' where id = $1`, [g.id]);
    expect(await version('grids')).toBeGreaterThan(v0);
    expect((await ok(STATION, 'GET', url)).items.find((x: Json) => x.id === g.id).name).toBe('直接改名网格');
    await t.deps.database.query(`delete from grid_links where grid_id = $1`, [g.id]);
    expect((await ok(STATION, 'GET', url)).items.find((x: Json) => x.id === g.id).households).toBe(0);
    const leader = await one(`select name from volunteers where id = $1`, [leaderId]);
    await t.deps.database.query(`update volunteers set name = '李志愿改' where id = $1`, [leaderId]);
    expect((await ok(STATION, 'GET', url)).items.find((x: Json) => x.id === g.id).leaderName).toBe('李志愿改');
    await t.deps.database.query(`update volunteers set name = $2 where id = $1`, [leaderId, leader.name]);
    // a write rolled back bumps nothing: the kept page answers
    await ok(STATION, 'GET', url);
    const h1 = hits();
    await t.deps.database
      .query(`do $$ begin update grids set name = '回滚的名字' where id = '${g.id}'; raise exception 'undo'; end $$`)
      .catch(() => undefined);
    expect((await ok(STATION, 'GET', url)).items.find((x: Json) => x.id === g.id).name).toBe('直接改名网格');
    expect(hits()).toBe(h1 + 1);
  });

  it('visits: a visit logged through the service and a raw update show at once, for staff and the visitor', async () => {
    const h = await household(STATION, village, '缓存走访户');
    const g = await ok(
      STATION,
      'POST',
      '/grids',
      { name: '缓存走访网格', regionCode: village, leaderVolunteerId: leaderId },
      201,
    );
    await ok(STATION, 'POST', `/grids/${g.id}/links`, { householdIds: [h] });
    const staffUrl = `/visits?pageSize=200&householdId=${h}`;
    expect((await ok(STATION, 'GET', staffUrl)).total).toBe(0);
    expect((await ok(LINK, 'GET', staffUrl)).total).toBe(0);
    const h0 = hits();
    await ok(STATION, 'GET', staffUrl);
    expect(hits()).toBe(h0 + 1);
    const at = new Date(t.clock.now().getTime() - 7200_000).toISOString();
    const raise = {
      kind: 'wish',
      title: '缓存心愿',
      description: '想要一台收音机',
      value: 80,
      consentToPublish: false,
    };
    const v = await ok(LINK, 'POST', '/visits', { householdId: h, note: '第一次走访', visitedAt: at, raise }, 201);
    const staff = await ok(STATION, 'GET', staffUrl);
    expect(staff.items.map((x: Json) => x.id)).toEqual([v.id]);
    expect((await ok(LINK, 'GET', staffUrl)).items.map((x: Json) => x.id)).toEqual([v.id]);
    // another town's staff neither see it nor get the station's kept page
    expect((await ok(PHONES.shawoAdmin, 'GET', staffUrl)).total).toBe(0);
    // straight into the database: the visit's note, and the title of the wish it raised (another table)
    await t.deps.database.query(`update visits set note = '直接改过的记录' where id = $1`, [v.id]);
    expect((await ok(STATION, 'GET', staffUrl)).items[0].note).toBe('直接改过的记录');
    expect((await ok(LINK, 'GET', staffUrl)).items[0].note).toBe('直接改过的记录');
    await t.deps.database.query(`update wishes set title = '直接改过的心愿' where id = $1`, [v.raisedId]);
    expect((await ok(STATION, 'GET', staffUrl)).items[0].raisedTitle).toBe('直接改过的心愿');
    await t.deps.database.query(`delete from visits where id = $1`, [v.id]);
    expect((await ok(STATION, 'GET', staffUrl)).total).toBe(0);
  });
});
