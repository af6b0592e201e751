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

/** The per-child breakdown, counted the slow obvious way: every village whose path runs through the child's. */
async function expected(regionCode: string) {
  const { rows } = await t.deps.database.query(
    `
    select c.code, count(v.code)::int as villages
    from regions p join regions c on c.parent_code = p.code or (c.code = p.code and c.level = 'village')
    join regions v on v.level = 'village' and v.path like c.path || '%'
    where p.code = $1 group by c.code order by c.code`,
    [regionCode],
  );
  return rows as { code: string; villages: number }[];
}

describe('coverage breakdown', () => {
  it('groups villages under the county by town, under a town by village, and a village counts for itself', async () => {
    const as = t.as(PHONES.countyAdmin);
    const county = (await as({ method: 'GET', url: '/api/v1/stats/coverage' })).json();
    expect(
      county.byRegion.map((r: { code: string; villages: number }) => ({ code: r.code, villages: r.villages })),
    ).toEqual(await expected(county.regionCode));
    const town = county.byRegion[1].code as string;
    const byTown = (await as({ method: 'GET', url: `/api/v1/stats/coverage?regionCode=${town}` })).json();
    expect(byTown.villages).toBe(county.byRegion[1].villages);
    expect(byTown.villagesWithStation).toBe(county.byRegion[1].villagesWithStation);
    expect(byTown.villagesCompliant).toBe(county.byRegion[1].villagesCompliant);
    expect(
      byTown.byRegion.map((r: { code: string; villages: number }) => ({ code: r.code, villages: r.villages })),
    ).toEqual(await expected(town));
    const village = byTown.byRegion[0];
    const byVillage = (await as({ method: 'GET', url: `/api/v1/stats/coverage?regionCode=${village.code}` })).json();
    expect(byVillage.byRegion).toEqual([village]);
    expect(byVillage.villages).toBe(1);
  });
});
