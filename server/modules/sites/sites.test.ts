import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const XINJI = '411523100';
const SHAWO = '411523101';
const firstVillage = async (town: string) => {
  const res = await t.as(PHONES.countyAdmin)({ method: 'GET', url: `/api/v1/regions?parent=${town}` });
  return res.json().items[0].code as string;
};
const stationOf = async (phone: string, regionCode: string) => {
  const res = await t.as(phone)({
    method: 'GET',
    url: `/api/v1/sites?kind=station&regionCode=${regionCode}&pageSize=1`,
  });
  return res.json().items[0] as { id: string; name: string; regionCode: string };
};

describe('data scope on sites', () => {
  it('an institute admin lists only its town; the county admin sees every town', async () => {
    const xinji = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/sites?pageSize=200' });
    expect(xinji.statusCode).toBe(200);
    const items = xinji.json().items as { regionCode: string }[];
    expect(items.length).toBeGreaterThan(20);
    expect(items.every((s) => s.regionCode.startsWith(XINJI))).toBe(true);
    const county = await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/sites?pageSize=200' });
    const codes = (county.json().items as { regionCode: string }[]).map((s) => s.regionCode);
    expect(codes.some((c) => c.startsWith(XINJI))).toBe(true);
    expect(codes.some((c) => c.startsWith(SHAWO))).toBe(true);
    expect(county.json().total).toBe(225);
  });

  it('a 新集镇 admin can neither open, update nor delete a 沙窝镇 site: 404 as if it did not exist', async () => {
    const shawoStation = await stationOf(PHONES.countyAdmin, SHAWO);
    const as = t.as(PHONES.xinjiAdmin);
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { name: '改名' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await as({ method, url: `/api/v1/sites/${shawoStation.id}`, payload });
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    const inspect = await as({
      method: 'POST',
      url: `/api/v1/sites/${shawoStation.id}/inspections`,
      payload: { results: [{ itemCode: 'sign', passed: true }] },
    });
    expect(inspect.statusCode).toBe(404);
    const still = await t.as(PHONES.shawoAdmin)({ method: 'GET', url: `/api/v1/sites/${shawoStation.id}` });
    expect(still.json().name).toBe(shawoStation.name);
  });

  it('a 新集镇 admin cannot create a site in 沙窝镇, but can in 新集镇', async () => {
    const shawoVillage = await firstVillage(SHAWO);
    const xinjiVillage = await firstVillage(XINJI);
    const as = t.as(PHONES.xinjiAdmin);
    const denied = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { kind: 'point', name: '越权实践点', regionCode: shawoVillage, address: '某处' },
    });
    expect(denied.statusCode).toBe(404);
    const { rows } = await t.deps.database.query(`select count(*)::int as n from sites where name = '越权实践点'`);
    expect(rows[0].n).toBe(0);
    const ok = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: {
        kind: 'point',
        name: '新集镇测试实践点',
        regionCode: xinjiVillage,
        address: '村口',
        facilities: ['农家书屋'],
      },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'point', regionCode: xinjiVillage, facilities: ['农家书屋'] });
  });

  it('a user with no role assignment sees nothing', async () => {
    const create = await t.as(PHONES.secadmin)({
      method: 'POST',
      url: '/api/v1/users',
      payload: { name: '无角色', phone: '13700000001', password: 'Abcd@1234', regionCode: XINJI, roles: [] },
    });
    expect(create.statusCode).toBe(201);
    await t.firstSignIn('13700000001', 'Abcd@1234');
    const res = await t.as('13700000001')({ method: 'GET', url: '/api/v1/sites' });
    expect(res.statusCode).toBe(403); // no role → not even the permission to read sites
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('a station admin sees their own village only', async () => {
    const res = await t.as(PHONES.stationAdmin)({ method: 'GET', url: '/api/v1/sites?pageSize=200' });
    const village = await firstVillage(XINJI);
    expect(res.statusCode).toBe(200);
    expect((res.json().items as { regionCode: string }[]).map((s) => s.regionCode)).toContain(village);
    expect(
      (res.json().items as { regionCode: string }[]).every(
        (s) => s.regionCode === village || s.regionCode.startsWith(village),
      ),
    ).toBe(true);
  });
});

describe('sites', () => {
  it('checks that the kind of site matches the level of its region', async () => {
    const res = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { kind: 'station', name: '错位的站', regionCode: XINJI, address: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].path).toBe('regionCode');
  });

  it('rejects unknown kinds, unknown regions and wrong types, naming the field, and saves nothing', async () => {
    const as = t.as(PHONES.countyAdmin);
    const before = (await t.deps.database.query('select count(*)::int as n from sites')).rows[0].n;
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'castle', name: 'x', regionCode: XINJI }, 'kind'],
      [{ kind: 'point', name: 'x', regionCode: '411523999999' }, 'regionCode'],
      [{ kind: 'point', name: 123, regionCode: XINJI }, 'name'],
      [{ kind: 'point', name: 'x', regionCode: XINJI, capacity: -5 }, 'capacity'],
      [{ kind: 'point', name: 'x', regionCode: XINJI, contacts: [{ name: '王', phone: '123' }] }, 'contacts.0.phone'],
      [{ kind: 'point', name: 'x', regionCode: XINJI, photoIds: ['00000000-0000-4000-8000-000000000000'] }, 'photoIds'],
    ];
    for (const [payload, path] of cases) {
      const res = await as({ method: 'POST', url: '/api/v1/sites', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
      expect(res.json().error.details.map((d: { path: string }) => d.path)).toContain(path);
      expect(res.json().error.message).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect((await t.deps.database.query('select count(*)::int as n from sites')).rows[0].n).toBe(before);
  });

  it('updates and deletes a site in scope', async () => {
    const as = t.as(PHONES.xinjiAdmin);
    const village = await firstVillage(XINJI);
    const created = (
      await as({
        method: 'POST',
        url: '/api/v1/sites',
        payload: { kind: 'post', name: '临时岗', regionCode: village, address: '集市' },
      })
    ).json();
    const patched = await as({
      method: 'PATCH',
      url: `/api/v1/sites/${created.id}`,
      payload: { openingHours: '每日 8:00–18:00', capacity: 20 },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ openingHours: '每日 8:00–18:00', capacity: 20, name: '临时岗' });
    expect((await as({ method: 'DELETE', url: `/api/v1/sites/${created.id}` })).statusCode).toBe(204);
    expect((await as({ method: 'GET', url: `/api/v1/sites/${created.id}` })).statusCode).toBe(404);
  });

  it('filters by kind, keyword and compliance', async () => {
    const as = t.as(PHONES.countyAdmin);
    const inst = await as({ method: 'GET', url: '/api/v1/sites?kind=institute&pageSize=50' });
    expect(inst.json().total).toBe(16);
    const q = await as({ method: 'GET', url: `/api/v1/sites?q=${encodeURIComponent('沙窝镇')}` });
    expect(q.json().items.length).toBeGreaterThan(0);
    expect(q.json().total).toBeLessThan((await as({ method: 'GET', url: '/api/v1/sites' })).json().total);
    expect(
      (q.json().items as { name: string; address: string }[]).every((s) => (s.name + s.address).includes('沙窝镇')),
    ).toBe(true);
    for (const status of ['compliant', 'noncompliant', 'uninspected']) {
      const res = await as({ method: 'GET', url: `/api/v1/sites?compliance=${status}&pageSize=200` });
      expect(res.json().total).toBeGreaterThan(0);
      expect(
        (res.json().items as { compliance: { status: string } }[]).every((s) => s.compliance.status === status),
      ).toBe(true);
    }
  });

  it('residents see the stations of their village and town as 附近的实践站', async () => {
    const res = await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/sites/nearby' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.town.code).toBe(XINJI);
    expect(body.items[0].regionCode).toBe(body.region.code);
    expect(body.items[0]).toMatchObject({ kind: 'station' });
    expect(body.items[0].address).not.toBe('');
    expect(body.items[0].openingHours).not.toBe('');
    expect((body.items as { regionCode: string }[]).every((s) => s.regionCode.startsWith(XINJI))).toBe(true);
    expect(body.items.some((s: { kind: string }) => s.kind === 'institute')).toBe(true);
  });

  it('paginates with a maximum page size of 200', async () => {
    const as = t.as(PHONES.countyAdmin);
    const p2 = await as({ method: 'GET', url: '/api/v1/sites?page=2&pageSize=10' });
    expect(p2.json()).toMatchObject({ page: 2, pageSize: 10 });
    expect(p2.json().items).toHaveLength(10);
    const tooBig = await as({ method: 'GET', url: '/api/v1/sites?pageSize=500' });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().error.details[0].path).toBe('pageSize');
  });
});

describe('inspections and compliance', () => {
  const tinyPng = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f' +
      '5d0000000049454e44ae426082',
    'hex',
  );
  const upload = async (phone: string, data: Buffer, filename = 'a.png', type = 'image/png') => {
    const boundary = '----wm' + Math.random().toString(16).slice(2);
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; ` +
          `filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return t.as(phone)({
      method: 'POST',
      url: '/api/v1/files',
      payload: body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
  };

  it('computes compliance from the latest inspection, with photo evidence', async () => {
    const station = await stationOf(PHONES.xinjiAdmin, XINJI);
    const photo = await upload(PHONES.xinjiAdmin, tinyPng);
    expect(photo.statusCode).toBe(201);
    const photoId = photo.json().id;
    const detail = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/sites/${station.id}` })).json();
    const items = detail.standard.items as { code: string }[];
    const failing = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: `/api/v1/sites/${station.id}/inspections`,
      payload: {
        standardId: detail.standard.id,
        results: items.map((it, i) => ({ itemCode: it.code, passed: i !== 0, photoIds: i === 1 ? [photoId] : [] })),
        note: '标识缺失',
      },
    });
    expect(failing.statusCode).toBe(201);
    expect(failing.json()).toMatchObject({ compliant: false, passedCount: items.length - 1, totalCount: items.length });
    expect(failing.json().results[1].photos[0].url).toBe(`/api/v1/files/${photoId}`);
    let site = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/sites/${station.id}` })).json();
    expect(site.compliance.status).toBe('noncompliant');
    t.clock.advance(60_000);
    const passing = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: `/api/v1/sites/${station.id}/inspections`,
      payload: {
        results: items.map((it) => ({ itemCode: it.code, passed: true })),
      },
    });
    expect(passing.json()).toMatchObject({ compliant: true, score: 100 });
    site = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/sites/${station.id}` })).json();
    expect(site.compliance).toMatchObject({ status: 'compliant', score: 100 });
    const list = (
      await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/sites/${station.id}/inspections` })
    ).json();
    expect(list.items[0].compliant).toBe(true);
    expect(list.items.length).toBeGreaterThanOrEqual(2);
    const img = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/files/${photoId}` });
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload.equals(tinyPng)).toBe(true);
  });

  it('lists every site exactly as its detail shows it, strings escaped and nulls kept', async () => {
    const as = t.as(PHONES.xinjiAdmin);
    const village = await firstVillage(XINJI);
    const created = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: {
        kind: 'point',
        name: '引号"反斜杠\\点',
        regionCode: village,
        address: '一行\n二行\t</script> \u2028',
        lat: null,
        capacity: 0,
        openingHours: '9:00–17:00',
        facilities: ['书屋 "A"'],
        contacts: [{ name: '王\\五', phone: '13900000000', role: '管"理' }],
      },
    });
    expect(created.statusCode).toBe(201);
    const list = await as({ method: 'GET', url: '/api/v1/sites?pageSize=200' });
    expect(list.headers['content-type']).toContain('application/json');
    const items = list.json().items as Record<string, unknown>[];
    expect(items.some((i) => i.id === created.json().id)).toBe(true);
    for (const item of items) {
      const d = (await as({ method: 'GET', url: `/api/v1/sites/${item.id}` })).json();
      const keys = [
        'id',
        'kind',
        'name',
        'regionCode',
        'regionName',
        'address',
        'openingHours',
        'facilities',
        'contacts',
        'isDemo',
        'lat',
        'lng',
        'capacity',
        'compliance',
      ];
      expect(Object.keys(item)).toEqual(keys);
      expect(item).toEqual(Object.fromEntries(keys.map((k) => [k, d[k]])));
    }
  });

  it('needs a result for every checklist item and rejects unknown ones', async () => {
    const station = await stationOf(PHONES.xinjiAdmin, XINJI);
    const as = t.as(PHONES.xinjiAdmin);
    const partial = await as({
      method: 'POST',
      url: `/api/v1/sites/${station.id}/inspections`,
      payload: { results: [{ itemCode: 'sign', passed: true }] },
    });
    expect(partial.statusCode).toBe(400);
    expect(partial.json().error.details[0].path).toBe('results');
    const unknown = await as({
      method: 'POST',
      url: `/api/v1/sites/${station.id}/inspections`,
      payload: { results: [{ itemCode: 'moat', passed: true }] },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0].path).toBe('results.0.itemCode');
  });

  it('accepts only real images up to 5 MB', async () => {
    const text = await upload(PHONES.xinjiAdmin, Buffer.from('not an image at all'), 'a.png', 'image/png');
    expect(text.statusCode).toBe(400);
    expect(text.json().error.details[0].path).toBe('file');
    const empty = await upload(PHONES.xinjiAdmin, Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    const big = Buffer.concat([tinyPng, Buffer.alloc(5 * 1024 * 1024 + 10)]);
    const tooBig = await upload(PHONES.xinjiAdmin, big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: '图片不能超过 5 MB',
      details: [{ path: 'file' }],
    });
    const notMultipart = await t.as(PHONES.xinjiAdmin)({ method: 'POST', url: '/api/v1/files', payload: { a: 1 } });
    expect(notMultipart.statusCode).toBe(400);
  });
});

describe('coverage', () => {
  it('counts villages, stations and compliant stations for the county and per town', async () => {
    const res = await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/stats/coverage' });
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c.villages).toBe(206);
    expect(c.villagesWithStation).toBe(206);
    expect(c.coverageRate).toBe(1);
    expect(c.villagesCompliant).toBeGreaterThan(50);
    expect(c.villagesCompliant).toBeLessThan(206);
    expect(c.complianceRate).toBeCloseTo(c.villagesCompliant / 206, 3);
    expect(c.byRegion).toHaveLength(16);
    expect(c.byRegion.reduce((a: number, r: { villages: number }) => a + r.villages, 0)).toBe(206);
    const { rows } = await t.deps.database.query(
      `
      select count(distinct s.region_code)::int as n from sites s
      where s.kind = 'station' and (select i.compliant from inspections i
        where i.site_id = s.id and i.inspected_at >= $1::timestamptz order by i.inspected_at desc limit 1)`,
      [new Date(new Date(t.clock.now()).setMonth(t.clock.now().getMonth() - 12)).toISOString()],
    );
    expect(c.villagesCompliant).toBe(rows[0].n);
  });

  it('a town admin gets their town, broken down by village, and 404 for another town', async () => {
    const mine = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/stats/coverage?regionCode=${XINJI}` });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().byRegion.length).toBe(mine.json().villages);
    const other = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/stats/coverage?regionCode=${SHAWO}` });
    expect(other.statusCode).toBe(404);
    const defaulted = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/stats/coverage' });
    expect(defaulted.json().villages).toBe(mine.json().villages);
  });
});

describe('standards', () => {
  it('ships the 六有 and 五有 checklists and lets the county add one', async () => {
    const list = (await t.as(PHONES.countyAdmin)({ method: 'GET', url: '/api/v1/standards' })).json().items as {
      code: string;
      items: { name: string }[];
    }[];
    const six = list.find((s) => s.code === 'six_haves')!;
    expect(six.items.map((i) => i.name)).toEqual([
      '有标识',
      '有场所',
      '有书籍',
      '有工作制度',
      '有活动安排',
      '有软件资料',
    ]);
    expect(list.some((s) => s.code === 'five_haves')).toBe(true);
    const created = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/standards',
      payload: {
        code: 'post_std',
        name: '志愿服务岗标准',
        kinds: ['post'],
        passScore: 50,
        items: [
          { code: 'sign', name: '有标识' },
          { code: 'staff', name: '有人员' },
        ],
      },
    });
    expect(created.statusCode).toBe(201);
    const dup = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/standards',
      payload: { code: 'post_std', name: '重复', kinds: ['post'], items: [{ code: 'a', name: 'a' }] },
    });
    expect(dup.statusCode).toBe(409);
    const forbidden = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: '/api/v1/standards',
      payload: { code: 'x_std', name: 'x', kinds: ['post'], items: [{ code: 'a', name: 'a' }] },
    });
    expect(forbidden.statusCode).toBe(403);
  });
});
