import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { festivalsOf, suggestionsFor } from './festivals.js';
import { demoPlaces, insertActivity, type Place } from './fixtures.test-util.js';

let t: TestApp;
let p: Place;
beforeAll(async () => {
  t = await createTestApp();
  p = await demoPlaces(t.deps.database.db);
});
afterAll(async () => {
  await t?.close();
});

const on = (year: number, name: string) => festivalsOf(year).find((f) => f.name === name)?.date;

describe('festivals', () => {
  it('computes the lunar festivals, 清明 and the memorial days of 2026', () => {
    expect(on(2026, '春节')).toBe('2026-02-17');
    expect(on(2026, '除夕')).toBe('2026-02-16');
    expect(on(2026, '元宵节')).toBe('2026-03-03');
    expect(on(2026, '清明')).toBe('2026-04-05');
    expect(on(2026, '端午节')).toBe('2026-06-19');
    expect(on(2026, '中秋节')).toBe('2026-09-25');
    expect(on(2026, '重阳节')).toBe('2026-10-18');
    expect(on(2026, '腊八节')).toBe('2026-01-26');
    expect(on(2026, '全国科普日')).toBe('2026-09-19');
    expect(on(2026, '学雷锋纪念日')).toBe('2026-03-05');
    expect(on(2026, '国家公祭日')).toBe('2026-12-13');
    const list = festivalsOf(2026);
    expect(list.length).toBeGreaterThan(10);
    expect(list.map((f) => f.date)).toEqual([...list.map((f) => f.date)].sort());
    expect(list.every((f) => f.suggestion.length > 4 && ['lunar', 'memorial', 'solar_term'].includes(f.kind))).toBe(
      true,
    );
  });

  it('works for other years, including a 29-day twelfth month and 腊八 twice or not at all', () => {
    expect(on(2025, '端午节')).toBe('2025-05-31');
    expect(on(2025, '春节')).toBe('2025-01-29');
    expect(on(2025, '除夕')).toBe('2025-01-28'); // 腊月只有 29 天：除夕是腊月二十九
    expect(on(2025, '中秋节')).toBe('2025-10-06');
    expect(on(2025, '清明')).toBe('2025-04-04');
    expect(on(2024, '除夕')).toBe('2024-02-09');
    expect(on(1900, '春节')).toBe('1900-01-31');
    expect(on(2100, '中秋节')).toBe('2100-09-18');
    for (const y of [1900, 1984, 2033, 2100]) {
      const names = festivalsOf(y).map((f) => f.name);
      for (const n of [
        '春节',
        '除夕',
        '元宵节',
        '清明',
        '端午节',
        '七夕节',
        '中秋节',
        '重阳节',
        '国庆节',
        '国际志愿者日',
      ])
        expect(names, `${y} ${n}`).toContain(n);
      expect(festivalsOf(y).every((f) => f.date.startsWith(`${y}-`))).toBe(true);
    }
  });

  it('suggests themes for a month from its festivals', () => {
    const march = suggestionsFor(2026, 3);
    expect(march.month).toBe('2026-03');
    expect(march.themes.map((x) => x.theme)).toContain('学雷锋志愿服务月');
    expect(suggestionsFor(2026, 10).themes.map((x) => x.theme)).toEqual(
      expect.arrayContaining(['我和我的祖国', '敬老爱老']),
    );
    expect(suggestionsFor(2026, 11).themes.length).toBeGreaterThan(0);
  });

  it('serves festivals and suggestions over HTTP with validation', async () => {
    const res = await t.as(PHONES.volunteer)({ method: 'GET', url: '/api/v1/calendar/festivals?year=2026' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(
      expect.arrayContaining([
        { date: '2026-02-17', name: '春节', kind: 'lunar', suggestion: expect.any(String) },
        expect.objectContaining({ date: '2026-04-05', kind: 'solar_term' }),
      ]),
    );
    expect((await t.as(null)({ method: 'GET', url: '/api/v1/calendar/festivals?year=2026' })).statusCode).toBe(401);
    const bad = await t.as(PHONES.volunteer)({ method: 'GET', url: '/api/v1/calendar/festivals?year=1899' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('year');
    const sug = await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/plans/suggestions?year=2026&month=9' });
    expect(sug.json().themes.map((x: { theme: string }) => x.theme)).toContain('我们的节日·中秋');
    const badMonth = await t.as(PHONES.xinjiAdmin)({
      method: 'GET',
      url: '/api/v1/plans/suggestions?year=2026&month=13',
    });
    expect(badMonth.statusCode).toBe(400);
    expect(badMonth.json().error.details[0].path).toBe('month');
    expect((await t.as(PHONES.resident)({ method: 'GET', url: '/api/v1/plans/suggestions?month=3' })).statusCode).toBe(
      403,
    );
  });
});

describe('plans', () => {
  let townPlan: string;
  it('an institute admin plans the year for the town; one plan per region and year', async () => {
    const body = {
      regionCode: p.town,
      year: 2030,
      title: '新集镇2030年新时代文明实践活动计划',
      goals: '每月至少 4 场活动',
      months: [
        { month: 6, theme: '关爱未成年人', focus: '防溺水' },
        { month: 3, theme: '学雷锋志愿服务月', focus: '' },
      ],
    };
    const res = await t.as(PHONES.xinjiAdmin)({ method: 'POST', url: '/api/v1/plans', payload: body });
    expect(res.statusCode, res.body).toBe(201);
    townPlan = res.json().id;
    expect(res.json()).toMatchObject({
      regionCode: p.town,
      year: 2030,
      months: [{ month: 3 }, { month: 6 }],
      siteName: expect.stringContaining('文明实践所'),
    });
    expect(res.json().byMonth).toHaveLength(12);
    const dup = await t.as(PHONES.xinjiAdmin)({ method: 'POST', url: '/api/v1/plans', payload: body });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('DUPLICATE');
  });

  it('validates the months and the region', async () => {
    const base = { regionCode: p.village, year: 2030, title: '村计划' };
    const m13 = await t.as(PHONES.stationAdmin)({
      method: 'POST',
      url: '/api/v1/plans',
      payload: { ...base, months: [{ month: 13, theme: 'x' }] },
    });
    expect(m13.statusCode).toBe(400);
    expect(m13.json().error.details[0].path).toBe('months.0.month');
    const twice = await t.as(PHONES.stationAdmin)({
      method: 'POST',
      url: '/api/v1/plans',
      payload: {
        ...base,
        months: [
          { month: 2, theme: 'a' },
          { month: 2, theme: 'b' },
        ],
      },
    });
    expect(twice.json().error.details[0].path).toBe('months.1.month');
    const noTheme = await t.as(PHONES.stationAdmin)({
      method: 'POST',
      url: '/api/v1/plans',
      payload: { ...base, months: [{ month: 2, theme: ' ' }] },
    });
    expect(noTheme.json().error.details[0].path).toBe('months.0.theme');
    const county = await t.as(PHONES.countyAdmin)({
      method: 'POST',
      url: '/api/v1/plans',
      payload: { ...base, regionCode: p.county },
    });
    expect(county.statusCode).toBe(400);
    expect(county.json().error.details[0].path).toBe('regionCode');
    expect(
      (
        await t.as(PHONES.stationAdmin)({
          method: 'POST',
          url: '/api/v1/plans',
          payload: { ...base, regionCode: p.town },
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.as(PHONES.volunteer)({ method: 'POST', url: '/api/v1/plans', payload: base })).statusCode).toBe(
      403,
    );
    expect((await t.as(null)({ method: 'POST', url: '/api/v1/plans', payload: base })).statusCode).toBe(401);
  });

  it('reads, lists and updates within scope only', async () => {
    const village = await t.as(PHONES.stationAdmin)({
      method: 'POST',
      url: '/api/v1/plans',
      payload: {
        regionCode: p.village,
        year: 2030,
        title: '本村2030年活动计划',
        months: [{ month: 7, theme: '永远跟党走' }],
      },
    });
    expect(village.statusCode, village.body).toBe(201);
    expect(village.json().siteName).toContain('文明实践站');
    const list = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/plans?year=2030' })).json();
    expect(list.total).toBe(2);
    expect((await t.as(PHONES.stationAdmin)({ method: 'GET', url: '/api/v1/plans?year=2030' })).json().total).toBe(1);
    expect((await t.as(PHONES.shawoAdmin)({ method: 'GET', url: '/api/v1/plans?year=2030' })).json().total).toBe(0);
    expect((await t.as(PHONES.shawoAdmin)({ method: 'GET', url: `/api/v1/plans/${townPlan}` })).statusCode).toBe(404);
    expect(
      (
        await t.as(PHONES.shawoAdmin)({
          method: 'PUT',
          url: `/api/v1/plans/${townPlan}`,
          payload: { title: '越权修改' },
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: '/api/v1/plans/not-a-uuid' })).statusCode).toBe(400);
    const upd = await t.as(PHONES.xinjiAdmin)({
      method: 'PUT',
      url: `/api/v1/plans/${townPlan}`,
      payload: {
        title: '新集镇年度计划（修订）',
        months: [
          { month: 6, theme: '关爱未成年人', focus: '防溺水' },
          { month: 10, theme: '敬老爱老' },
        ],
      },
    });
    expect(upd.statusCode, upd.body).toBe(200);
    expect(upd.json()).toMatchObject({
      title: '新集镇年度计划（修订）',
      months: [{ month: 6 }, { month: 10, theme: '敬老爱老', focus: '' }],
    });
    const clash = await t.as(PHONES.xinjiAdmin)({
      method: 'PUT',
      url: `/api/v1/plans/${village.json().id}`,
      payload: { regionCode: p.town },
    });
    expect(clash.statusCode).toBe(409);
    const audit = await t.deps.database.query(
      `select action from audit_events where entity = 'activity_plan' and entity_id = $1 order by at`,
      [townPlan],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['plan.create', 'plan.update']);
  });

  it('the calendar shows the festivals, the scoped activities and the theme (a village falls back to its town plan)', async () => {
    const db = t.deps.database.db;
    const a = await insertActivity(db, {
      regionCode: p.village,
      regionPath: p.villagePath,
      county: p.county,
      title: '防溺水安全宣讲',
      startAt: '2030-06-05T01:00:00Z',
      endAt: '2030-06-05T03:00:00Z',
      planId: townPlan,
    });
    await insertActivity(db, {
      regionCode: p.village,
      regionPath: p.villagePath,
      county: p.county,
      title: '两天的夏令营',
      startAt: '2030-06-29T01:00:00Z',
      endAt: '2030-07-01T09:00:00Z',
      type: 'training',
    });
    await insertActivity(db, {
      regionCode: p.village,
      regionPath: p.villagePath,
      county: p.county,
      title: '五月的活动',
      startAt: '2030-05-31T16:30:00Z',
      endAt: '2030-05-31T17:00:00Z',
    }); // 6 月 1 日北京时间
    const res = await t.as(PHONES.stationAdmin)({
      method: 'GET',
      url: `/api/v1/calendar?regionCode=${p.village}&month=2030-06`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const cal = res.json();
    expect(cal).toMatchObject({
      month: '2030-06',
      theme: '关爱未成年人',
      focus: '防溺水',
      plan: { inherited: true, planRegionCode: p.town },
    });
    expect(cal.days).toHaveLength(30);
    const day = (d: string) => cal.days.find((x: { date: string }) => x.date === d);
    expect(day('2030-06-05').festivals.map((f: { name: string }) => f.name)).toContain('端午节');
    expect(day('2030-06-05').activities).toEqual([
      expect.objectContaining({ id: a.id, title: '防溺水安全宣讲', type: 'volunteer_service', state: 'ended' }),
    ]);
    expect(day('2030-06-01').activities.map((x: { title: string }) => x.title)).toEqual(['五月的活动']);
    expect(day('2030-06-30').activities.map((x: { title: string }) => x.title)).toEqual(['两天的夏令营']);
    expect(day('2030-06-01').festivals.map((f: { name: string }) => f.name)).toContain('六一儿童节');
    // the village's own plan wins where it has the month
    const july = (
      await t.as(PHONES.stationAdmin)({ method: 'GET', url: `/api/v1/calendar?regionCode=${p.village}&month=2030-07` })
    ).json();
    expect(july).toMatchObject({ theme: '永远跟党走', plan: { inherited: false } });
    expect(july.days[0].activities.map((x: { title: string }) => x.title)).toEqual(['两天的夏令营']);
    // default region, scope and validation
    expect(
      (await t.as(PHONES.stationAdmin)({ method: 'GET', url: '/api/v1/calendar?month=2030-06' })).json().regionCode,
    ).toBe(p.village);
    expect(
      (await t.as(PHONES.shawoAdmin)({ method: 'GET', url: `/api/v1/calendar?regionCode=${p.village}&month=2030-06` }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await t.as(PHONES.shawoAdmin)({
          method: 'GET',
          url: `/api/v1/calendar?regionCode=${p.otherTown}&month=2030-06`,
        })
      )
        .json()
        .days.flatMap((d: { activities: unknown[] }) => d.activities),
    ).toEqual([]);
    const bad = await t.as(PHONES.stationAdmin)({
      method: 'GET',
      url: `/api/v1/calendar?regionCode=${p.village}&month=2030-6`,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('month');
    expect(
      (await t.as(PHONES.stationAdmin)({ method: 'GET', url: `/api/v1/calendar?regionCode=${p.village}` })).json().error
        .details[0].path,
    ).toBe('month');
    expect((await t.as(PHONES.resident)({ method: 'GET', url: `/api/v1/calendar?month=2030-06` })).statusCode).toBe(
      403,
    );
    expect((await t.as(null)({ method: 'GET', url: `/api/v1/calendar?month=2030-06` })).statusCode).toBe(401);
    const detail = (await t.as(PHONES.xinjiAdmin)({ method: 'GET', url: `/api/v1/plans/${townPlan}` })).json();
    expect(detail.byMonth[5].activities.map((x: { title: string }) => x.title)).toEqual(['防溺水安全宣讲']);
    expect(detail.activityCount).toBe(1);
  });
});
