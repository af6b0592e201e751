import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { ListCache } from '../../platform/lists.js';

describe('ListCache', () => {
  it('answers only for the version and validity window it was built for', () => {
    const c = new ListCache();
    c.set('k', '7', Buffer.from('a'), 1_000);
    expect(c.get('k', '7', 1_000)?.toString()).toBe('a');
    expect(c.get('k', '7', 999)?.toString()).toBe('a');
    expect(c.get('k', '8', 1_000)).toBeUndefined();
    expect(c.get('k', '7', 1_001)).toBeUndefined();
    expect(c.get('other', '7', 0)).toBeUndefined();
    c.set('n', '7', Buffer.from('b'), null);
    expect(c.get('n', '7', Number.MAX_SAFE_INTEGER)?.toString()).toBe('b');
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 2, hits: 3, misses: 3 });
  });

  it('drops the least recently used entries beyond its entry and byte limits', () => {
    const c = new ListCache(3, 800);
    for (const k of ['a', 'b', 'c']) c.set(k, '1', Buffer.alloc(10), null);
    c.get('a', '1', 0); // a is now the most recently used
    c.set('d', '1', Buffer.alloc(10), null);
    expect(c.get('b', '1', 0)).toBeUndefined();
    expect(['a', 'c', 'd'].every((k) => c.get(k, '1', 0))).toBe(true);
    c.set('big', '1', Buffer.alloc(90), null); // ≤ 1/8 of the bytes: kept, the oldest go until it fits
    expect(c.stats().bytes).toBeLessThanOrEqual(800);
    expect(c.get('big', '1', 0)).toBeDefined();
    c.set('huge', '1', Buffer.alloc(101), null); // more than 1/8 of the byte limit: not kept
    expect(c.get('huge', '1', 0)).toBeUndefined();
  });
});

describe('the scoped sites list served from memory', () => {
  let t: TestApp;
  let off: TestApp;
  let pageStatements = 0;
  beforeAll(async () => {
    [t, off] = await Promise.all([createTestApp(), createTestApp({ listCache: false })]);
    const query = t.deps.database.query;
    t.deps.database.query = (text, values, opts) => {
      if (text.includes('with page as')) pageStatements++;
      return query(text, values, opts);
    };
  });
  afterAll(async () => {
    await Promise.all([t?.close(), off?.close()]);
  });

  const XINJI = '411523100';
  const list = async (app: TestApp, phone: string, query = 'page=1&pageSize=20') => {
    const res = await app.as(phone)({ method: 'GET', url: `/api/v1/sites?${query}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    return res.body;
  };
  const names = (body: string) => (JSON.parse(body).items as { name: string }[]).map((s) => s.name);

  it('builds a page once and answers the same bytes as an app without the cache', async () => {
    const before = pageStatements;
    const first = await list(t, PHONES.xinjiAdmin);
    const second = await list(t, PHONES.xinjiAdmin);
    expect(second).toBe(first);
    expect(pageStatements - before).toBe(1);
    expect(await list(off, PHONES.xinjiAdmin)).toBe(first);
    // every filter is its own page
    const stations = await list(t, PHONES.xinjiAdmin, 'kind=station&page=1&pageSize=5');
    expect(stations).toBe(await list(off, PHONES.xinjiAdmin, 'kind=station&page=1&pageSize=5'));
    expect(JSON.parse(stations).items).toHaveLength(5);
    expect(JSON.parse(stations).items.every((s: { kind: string }) => s.kind === 'station')).toBe(true);
  });

  it('never hands one scope the page of another', async () => {
    const xinji = await list(t, PHONES.xinjiAdmin);
    const shawo = await list(t, PHONES.shawoAdmin);
    const county = await list(t, PHONES.countyAdmin);
    expect(new Set([xinji, shawo, county]).size).toBe(3);
    const xinjiCodes = (JSON.parse(xinji).items as { regionCode: string }[]).map((s) => s.regionCode);
    const shawoCodes = (JSON.parse(shawo).items as { regionCode: string }[]).map((s) => s.regionCode);
    expect(xinjiCodes.length).toBeGreaterThan(0);
    expect(shawoCodes.length).toBeGreaterThan(0);
    expect(xinjiCodes.filter((c) => !c.startsWith(XINJI))).toEqual([]);
    expect(shawoCodes.filter((c) => c.startsWith(XINJI))).toEqual([]);
  });

  it('shows writes made through the API at once: create, edit, delete', async () => {
    const as = t.as(PHONES.xinjiAdmin);
    await list(t, PHONES.xinjiAdmin, 'q=缓存&page=1&pageSize=20');
    const created = await as({
      method: 'POST',
      url: '/api/v1/sites',
      payload: { kind: 'post', name: '缓存测试志愿服务岗', regionCode: XINJI, address: '新集镇街道' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    expect(names(await list(t, PHONES.xinjiAdmin, 'q=缓存&page=1&pageSize=20'))).toEqual(['缓存测试志愿服务岗']);
    expect(
      (await as({ method: 'PATCH', url: `/api/v1/sites/${id}`, payload: { name: '缓存测试志愿服务岗（改）' } }))
        .statusCode,
    ).toBe(200);
    expect(names(await list(t, PHONES.xinjiAdmin, 'q=缓存&page=1&pageSize=20'))).toEqual(['缓存测试志愿服务岗（改）']);
    expect((await as({ method: 'DELETE', url: `/api/v1/sites/${id}` })).statusCode).toBe(204);
    expect(names(await list(t, PHONES.xinjiAdmin, 'q=缓存&page=1&pageSize=20'))).toEqual([]);
  });

  it('shows writes made past this server (another app server, psql): sites, inspections and region names', async () => {
    const body = await list(t, PHONES.xinjiAdmin);
    const first = JSON.parse(body).items[0] as { id: string; name: string; regionCode: string; regionName: string };
    const db = t.deps.database;
    await db.query('update sites set name = $2 where id = $1', [first.id, `${first.name}（外部修改）`]);
    let now = JSON.parse(await list(t, PHONES.xinjiAdmin)).items;
    expect(now.find((s: { id: string }) => s.id === first.id).name).toBe(`${first.name}（外部修改）`);

    await db.query('update regions set name = $2 where code = $1', [first.regionCode, `${first.regionName}（改名）`]);
    now = JSON.parse(await list(t, PHONES.xinjiAdmin)).items;
    expect(now.find((s: { id: string }) => s.id === first.id).regionName).toBe(`${first.regionName}（改名）`);

    // an inspection written straight into the database: the latest one decides the compliance
    const {
      rows: [std],
    } = await db.query('select id, county_code from standards order by code limit 1');
    await db.query(
      `insert into inspections (county_code, site_id, standard_id, inspected_at, inspector_name, results,
        passed_count, total_count, score, compliant)
      values ($1, $2, $3, $4, '外部检查', '[]'::jsonb, 0, 6, 0, false)`,
      [std.county_code, first.id, std.id, t.clock.now()],
    );
    now = JSON.parse(await list(t, PHONES.xinjiAdmin)).items;
    expect(now.find((s: { id: string }) => s.id === first.id).compliance).toMatchObject({
      status: 'noncompliant',
      score: 0,
    });

    // a rolled-back write changes nothing and leaves the page as it was
    const kept = await list(t, PHONES.xinjiAdmin);
    await db
      .query(`do $$ begin update sites set name = 'x' where id = '${first.id}'; raise exception 'undo'; end $$`)
      .catch(() => undefined);
    expect(await list(t, PHONES.xinjiAdmin)).toBe(kept);
    expect(await list(off, PHONES.xinjiAdmin)).not.toBe(kept); // the other app's database was not touched
  });

  it('turns a site uninspected when its inspection leaves the validity period, with no write at all', async () => {
    const items = JSON.parse(await list(t, PHONES.xinjiAdmin, 'page=1&pageSize=200')).items as {
      id: string;
      compliance: { status: string; inspectedAt: string | null };
    }[];
    const inspected = items
      .filter((s) => s.compliance.status !== 'uninspected')
      .map((s) => new Date(s.compliance.inspectedAt!).getTime());
    expect(inspected.length).toBeGreaterThan(0);
    const oldest = Math.min(...inspected);
    // the validity period is 12 months by default: move the clock until the oldest valid inspection is just past it
    const before = pageStatements;
    const validUntil = new Date(oldest);
    validUntil.setMonth(validUntil.getMonth() + 12);
    t.clock.set(new Date(validUntil.getTime() + 60_000));
    const after = JSON.parse(await list(t, PHONES.xinjiAdmin, 'page=1&pageSize=200')).items as typeof items;
    expect(pageStatements - before).toBe(1);
    const flipped = after.filter(
      (s) => s.compliance.inspectedAt && new Date(s.compliance.inspectedAt).getTime() === oldest,
    );
    expect(flipped.length).toBeGreaterThan(0);
    expect(flipped.every((s) => s.compliance.status === 'uninspected')).toBe(true);
  });
});
