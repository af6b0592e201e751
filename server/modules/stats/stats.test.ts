import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';
import { figureKeys } from './definitions.js';
import { rebuildStats, verifyStats } from './service.js';
import { segments } from './periods.js';
import { metricsMarkdown } from './metrics-doc.js';
import fs from 'node:fs';
import ExcelJS from 'exceljs';

let t: TestApp;
const COUNTY = '411523';
const XINJI = '411523100';
const ADMIN = PHONES.countyAdmin;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const get = async (phone: string, url: string) => t.as(phone)({ method: 'GET', url: `/api/v1${url}` });
const ok = async (phone: string, url: string) => {
  const res = await get(phone, url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
};
const figure = (o: Json, key: string) => (o.figures as Json[]).find((f) => f.key === key)!.value as number;
const act = (phone: string, id: string, action: string, payload: Json = {}) =>
  t.as(phone)({ method: 'POST', url: `/api/v1/orders/${id}/${action}`, payload });

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('definitions', () => {
  it('docs/METRICS.md states every figure with the text the API answers (npm run gen:metrics)', () => {
    expect(fs.readFileSync(new URL('../../../docs/METRICS.md', import.meta.url), 'utf8')).toBe(metricsMarkdown());
  });
});

describe('periods', () => {
  it('splits a period into whole years, whole months and the days left', () => {
    expect(segments('2025-01-01', '2025-12-31')).toEqual([{ grain: 'y', first: '2025-01-01', last: '2025-01-01' }]);
    expect(segments('2024-11-15', '2026-02-03')).toEqual([
      { grain: 'd', first: '2024-11-15', last: '2024-11-30' },
      { grain: 'm', first: '2024-12-01', last: '2024-12-01' },
      { grain: 'y', first: '2025-01-01', last: '2025-01-01' },
      { grain: 'm', first: '2026-01-01', last: '2026-01-01' },
      { grain: 'd', first: '2026-02-01', last: '2026-02-03' },
    ]);
    expect(segments('2026-03-05', '2026-03-05')).toEqual([{ grain: 'd', first: '2026-03-05', last: '2026-03-05' }]);
  });
});

describe('the overview', () => {
  it('answers every figure, each a number with its unit and definition, for the demo county', async () => {
    const o = await ok(ADMIN, '/stats/overview?from=2025-01-01&to=2026-06-01');
    expect(o).toMatchObject({ regionCode: COUNTY, regionName: '新县', from: '2025-01-01', to: '2026-06-01' });
    expect(o.figures.map((f: Json) => f.key)).toEqual(figureKeys);
    for (const f of o.figures) {
      expect(typeof f.value, f.key).toBe('number');
      expect(f.definition.length, f.key).toBeGreaterThan(8);
      expect(f.unit, f.key).not.toBe('');
    }
    // the demo county has volunteers, teams, held activities, hours, orders and sites
    for (const k of ['volunteers.registered', 'teams.total', 'activities.total', 'hours.total', 'orders.submitted'])
      expect(figure(o, k), k).toBeGreaterThan(0);
    expect(figure(o, 'sites.institutes')).toBeGreaterThan(0);
    // the demo's articles (10 published) and offline publicity (120 posters, 6,000 leaflets), as the seeds state them
    expect(figure(o, 'articles.published')).toBe(10);
    expect(figure(o, 'publicity.posters')).toBe(120);
    expect(figure(o, 'publicity.leaflets')).toBe(6000);
    expect(figure(o, 'volunteers.registered')).toBeGreaterThanOrEqual(figure(o, 'volunteers.verified'));
  });

  it('each figure equals what the raw rows say (checked against direct SQL for the main ones)', async () => {
    const o = await ok(ADMIN, '/stats/overview?from=2026-01-01&to=2026-06-01');
    const q = async (s: string, p: unknown[] = []) => Number((await t.deps.database.query(s, p)).rows[0].n);
    const from = '2026-01-01T00:00:00+08:00';
    const to = '2026-06-01T23:59:59.999+08:00';
    expect(figure(o, 'volunteers.registered')).toBe(
      await q(`select count(*) n from volunteers where county_code = $1 and created_at <= $2`, [COUNTY, to]),
    );
    expect(figure(o, 'activities.total')).toBe(
      await q(
        `select count(*) n from activities where county_code = $1 and state in ('ended','archived')
         and start_at between $2 and $3`,
        [COUNTY, from, to],
      ),
    );
    expect(figure(o, 'orders.submitted')).toBe(
      await q(`select count(*) n from orders where county_code = $1 and submitted_at between $2 and $3`, [
        COUNTY,
        from,
        to,
      ]),
    );
    expect(figure(o, 'hours.total')).toBe(
      await q(
        `select coalesce(sum(hours), 0) n from hours_entries where county_code = $1
         and service_date between '2026-01-01' and '2026-06-01'`,
        [COUNTY],
      ),
    );
  });

  it('by town: the towns and the county level add up to the county, for every counted figure', async () => {
    const o = await ok(ADMIN, '/stats/overview?from=2025-01-01&to=2026-06-01&by=town');
    expect(o.regions.length).toBeGreaterThanOrEqual(17);
    // active volunteers and teams count in their own region, so they add up too, and never exceed the registered
    for (const r of o.regions) {
      expect(figure(r, 'volunteers.active'), r.name).toBeLessThanOrEqual(figure(r, 'volunteers.registered'));
      expect(figure(r, 'teams.active'), r.name).toBeLessThanOrEqual(figure(r, 'teams.total'));
    }
    const additive = o.figures.filter((f: Json) => f.unit !== '%');
    for (const f of additive) {
      const sum = o.regions.reduce((a: number, r: Json) => a + figure(r, f.key), 0);
      expect(Math.round(sum * 100) / 100, f.key).toBe(f.value);
    }
    const xinji = o.regions.find((r: Json) => r.code === XINJI);
    const town = await ok(ADMIN, `/stats/overview?regionCode=${XINJI}&from=2025-01-01&to=2026-06-01`);
    expect(xinji.figures).toEqual(town.figures);
  });

  it('counts an order the moment it is written, and the funnel as it moves', async () => {
    const period = '/stats/overview?from=2026-06-01&to=2026-06-01';
    const before = await ok(ADMIN, period);
    const menu = (await get(PHONES.resident, '/service-items')).json().items as Json[];
    const item = menu.find((i) => i.fields.length === 0)!;
    const created = await t.as(PHONES.resident)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: { serviceItemId: item.id, description: '想请志愿者帮忙修理水管' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const after = await ok(ADMIN, period);
    expect(figure(after, 'orders.submitted')).toBe(figure(before, 'orders.submitted') + 1);
    const vid = (await get(PHONES.volunteer, '/me')).json().volunteerId;
    expect((await act(PHONES.xinjiAdmin, id, 'dispatch', { target: { type: 'volunteer', id: vid } })).statusCode).toBe(
      200,
    );
    expect((await act(PHONES.volunteer, id, 'accept')).statusCode).toBe(200);
    expect((await act(PHONES.volunteer, id, 'start')).statusCode).toBe(200);
    t.clock.advance(3600_000); // an hour of service: the hour claimed is credited (not capped)
    expect((await act(PHONES.volunteer, id, 'complete', { summary: '已修好', hours: 1 })).statusCode).toBe(200);
    expect((await act(PHONES.resident, id, 'rate', { score: 5 })).statusCode).toBe(200);
    const done = await ok(ADMIN, period);
    expect(figure(done, 'orders.completed')).toBe(figure(before, 'orders.completed') + 1);
    expect(figure(done, 'hours.total')).toBe(figure(before, 'hours.total') + 1);
    expect(figure(done, 'orders.satisfaction')).toBeGreaterThan(0);
    expect(new Date(done.asOf).getTime()).toBeLessThanOrEqual(t.clock.now().getTime());
  });
});

describe('kept overviews', () => {
  it('an overview kept by the server follows a changed setting and a new order at once', async () => {
    const period = '/stats/overview?from=2026-01-01&to=2026-06-01';
    const before = await ok(ADMIN, period);
    expect(await ok(ADMIN, period)).toEqual(before); // asked twice: the kept answer, the same
    const put = await t.as(ADMIN)({
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'stats.activeVolunteerHours': 0 },
    });
    expect(put.statusCode, put.body).toBe(200);
    const lower = await ok(ADMIN, period);
    expect(figure(lower, 'volunteers.active')).toBeGreaterThan(figure(before, 'volunteers.active'));
    const menu = (await get(PHONES.resident, '/service-items')).json().items as Json[];
    const created = await t.as(PHONES.resident)({
      method: 'POST',
      url: '/api/v1/orders',
      payload: { serviceItemId: menu.find((i) => i.fields.length === 0)!.id, description: '想请志愿者陪老人聊聊天' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(figure(await ok(ADMIN, period), 'orders.submitted')).toBe(figure(lower, 'orders.submitted') + 1);
    const back = await t.as(ADMIN)({
      method: 'PUT',
      url: '/api/v1/settings',
      payload: { 'stats.activeVolunteerHours': 5 },
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(figure(await ok(ADMIN, period), 'volunteers.active')).toBe(figure(before, 'volunteers.active'));
  });
});

describe('the rows behind a figure', () => {
  it('for every figure: the rows number (or sum to) the figure', async () => {
    const range = 'from=2025-01-01&to=2026-06-01';
    const o = await ok(ADMIN, `/stats/overview?${range}`);
    for (const f of o.figures as Json[]) {
      const r = await ok(ADMIN, `/stats/rows?key=${f.key}&${range}&pageSize=5`);
      expect(r.value, f.key).toBe(f.value);
      if (f.unit === '%') continue; // a rate's rows are its denominator
      if (r.measure === 'count') expect(r.total, f.key).toBe(f.value);
      else expect(r.sum, f.key).toBe(f.value);
      expect(r.items.length, f.key).toBe(Math.min(5, r.total));
    }
  });

  it('a rate lists its denominator: the orders submitted in the period for the dispatch rate', async () => {
    const range = 'from=2025-01-01&to=2026-06-01';
    const o = await ok(ADMIN, `/stats/overview?${range}`);
    const r = await ok(ADMIN, `/stats/rows?key=orders.dispatchRate&${range}`);
    expect(r.total).toBe(figure(o, 'orders.submitted'));
  });
});

describe('scope and bad input', () => {
  it("a town's admin reads their town by default; the county and another town are not found", async () => {
    const mine = await ok(PHONES.xinjiAdmin, '/stats/overview');
    expect(mine.regionCode).toBe(XINJI);
    expect((await get(PHONES.xinjiAdmin, `/stats/overview?regionCode=${COUNTY}`)).statusCode).toBe(404);
    expect((await get(PHONES.xinjiAdmin, '/stats/overview?regionCode=411523101')).statusCode).toBe(404);
    expect((await get(PHONES.xinjiAdmin, `/stats/rows?key=orders.submitted&regionCode=${COUNTY}`)).statusCode).toBe(
      404,
    );
    expect((await get(PHONES.resident, '/stats/overview')).statusCode).toBe(403);
  });

  it('refuses bad periods, keys and groupings with the field named', async () => {
    const bad = async (url: string, field: string) => {
      const res = await get(ADMIN, url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json()), url).toContain(field);
      expect(res.body).toMatch(/[\u4e00-\u9fa5]/);
    };
    await bad('/stats/overview?from=2026-05-01&to=2026-04-01', 'to');
    await bad('/stats/overview?from=2010-01-01&to=2026-04-01', 'from');
    await bad('/stats/overview?from=2026-13-01', 'from');
    await bad('/stats/overview?by=province', 'by');
    await bad(`/stats/overview?regionCode=${XINJI}&by=town`, 'by');
    await bad('/stats/rows?key=nope', 'key');
    await bad('/stats/rows', 'key');
  });
});

describe('the annual report', () => {
  it("writes the county's year in the source documents' structure, every figure equal to the overview", async () => {
    const r = await ok(ADMIN, '/reports/annual?year=2025');
    expect(r.title).toBe('新县2025年度新时代文明实践工作报告');
    expect(r.sections.map((s: Json) => s.title)).toEqual([
      '一、阵地建设',
      '二、队伍建设',
      '三、活动开展',
      '四、宣传工作',
      '五、积分激励',
      '六、存在问题',
      '七、下步打算',
    ]);
    const o = await ok(ADMIN, '/stats/overview?from=2025-01-01&to=2025-12-31');
    expect(r.figures).toEqual(o.figures);
    const text = r.sections.flatMap((s: Json) => s.paragraphs).join('\n');
    const fmt = (x: number) => x.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
    for (const k of ['volunteers.registered', 'activities.total', 'hours.total', 'orders.submitted', 'sites.stations'])
      expect(text, k).toContain(`${fmt(figure(o, k))} `);
    // problems come from the data: a team that never served is named in this year's report
    const squad = (await ok(PHONES.xinjiAdmin, `/teams?level=squad&regionCode=${XINJI}`)).items[0];
    const idle = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: '/api/v1/teams',
      payload: {
        name: '新集镇待组织服务分队',
        level: 'squad',
        category: 'theory',
        regionCode: XINJI,
        parentId: squad.parentId,
      },
    });
    expect(idle.statusCode, idle.body).toBe(201);
    const thisYear = await ok(ADMIN, `/reports/annual?year=2026&regionCode=${XINJI}`);
    const yearText = thisYear.sections.flatMap((s: Json) => s.paragraphs).join('\n');
    const never = await ok(
      ADMIN,
      `/stats/rows?key=teams.neverServed&regionCode=${XINJI}&from=2026-01-01&to=2026-06-01`,
    );
    expect(never.items.map((i: Json) => i.title)).toContain('新集镇待组织服务分队');
    expect(yearText).toContain(`有 ${fmt(never.total)} 支志愿服务队伍组建以来从未开展活动或完成点单服务：`);
    expect(yearText).toContain('新集镇待组织服务分队');
    // the stations below standard are named, as many as the figures say (an expired inspection counts as below)
    const below = figure(o, 'sites.stations') - figure(o, 'sites.compliantStations');
    expect(below, 'below').toBeGreaterThan(0);
    const line = text.match(/有 (\S+) 个实践站未达标或检查已过有效期：(.*?)(?: 等 \S+ 个)?。/);
    expect(line?.[1]).toBe(fmt(below));
    expect(line![2].split('、')).toHaveLength(Math.min(below, 20));
    expect(r.sections.at(-1)).toMatchObject({ toWrite: true });
    expect(r.sections.at(-1).paragraphs[0]).toContain('待填写');
  });

  it('keeps the 下步打算 people write, one paragraph per line, in the JSON, Markdown and Word answers', async () => {
    const put = await t.as(PHONES.xinjiAdmin)({
      method: 'PUT',
      url: '/api/v1/reports/annual/notes',
      payload: { year: 2025, plans: '一是继续推进实践站提档升级。\n\n二是壮大志愿服务队伍。' },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().sections.at(-1)).toMatchObject({
      paragraphs: ['一是继续推进实践站提档升级。', '二是壮大志愿服务队伍。'],
      toWrite: true,
      written: true,
    });
    const md = await get(PHONES.xinjiAdmin, '/reports/annual?year=2025&format=md');
    expect(md.body).toContain('二是壮大志愿服务队伍。');
    // another town's report is untouched; clearing brings the marker back
    expect((await ok(ADMIN, '/reports/annual?year=2025')).sections.at(-1).written).toBe(false);
    const cleared = await t.as(PHONES.xinjiAdmin)({
      method: 'PUT',
      url: '/api/v1/reports/annual/notes',
      payload: { year: 2025, plans: '  ' },
    });
    expect(cleared.json().sections.at(-1).paragraphs[0]).toContain('待填写');
    const bad = await t.as(PHONES.xinjiAdmin)({
      method: 'PUT',
      url: '/api/v1/reports/annual/notes',
      payload: { year: 2025, regionCode: COUNTY, plans: 'x' },
    });
    expect(bad.statusCode).toBe(404);
  });

  it('answers Markdown and a Word file; a future year or a bad format is refused by name', async () => {
    const md = await get(ADMIN, `/reports/annual?year=2025&regionCode=${XINJI}&format=md`);
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toContain('text/markdown');
    expect(md.body).toMatch(/^# 新集镇2025年度新时代文明实践工作报告/);
    expect(md.body).toContain('## 六、存在问题');
    const docx = await get(ADMIN, '/reports/annual?year=2025&format=docx');
    expect(docx.statusCode).toBe(200);
    expect(docx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(docx.headers['content-disposition']).toContain('attachment');
    for (const [url, field] of [
      ['/reports/annual?year=2030', 'year'],
      ['/reports/annual?year=abc', 'year'],
      ['/reports/annual?year=2025&format=pdf', 'format'],
    ]) {
      const res = await get(ADMIN, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain(field);
    }
    expect((await get(PHONES.xinjiAdmin, `/reports/annual?year=2025&regionCode=${COUNTY}`)).statusCode).toBe(404);
  });
});

describe('moves', () => {
  it("a volunteer who moves to another town takes their hours' activity with them; the rollups stay exact", async () => {
    const db = t.deps.database;
    const { rows } = await db.query(
      `select v.id, v.region_code from volunteers v join hours_entries h on h.volunteer_id = v.id
       where v.region_path like $1 group by v.id, v.region_code order by sum(h.hours) desc limit 1`,
      [`/${COUNTY}/${XINJI}/%`],
    );
    const v = rows[0] as { id: string; region_code: string };
    const shawoVillage = (
      await db.query(`select code, path from regions where parent_code = '411523101' order by code limit 1`)
    ).rows[0] as { code: string; path: string };
    const range = 'from=2020-01-01&to=2026-06-01';
    const before = await ok(ADMIN, `/stats/overview?${range}&by=town`);
    await db.query(`update volunteers set region_code = $2, region_path = $3 where id = $1`, [
      v.id,
      shawoVillage.code,
      shawoVillage.path,
    ]);
    const after = await ok(ADMIN, `/stats/overview?${range}&by=town`);
    const town = (o: Json, code: string) => o.regions.find((r: Json) => r.code === code);
    expect(figure(town(after, XINJI), 'volunteers.active')).toBe(figure(town(before, XINJI), 'volunteers.active') - 1);
    expect(figure(town(after, '411523101'), 'volunteers.active')).toBe(
      figure(town(before, '411523101'), 'volunteers.active') + 1,
    );
    expect(figure(after, 'volunteers.active')).toBe(figure(before, 'volunteers.active'));
    expect(await verifyStats(db.db)).toEqual([]);
  });
});

describe('stats-verify', () => {
  // three full recomputations and a rebuild: slow on a loaded machine
  it('finds a rollup that no longer matches the rows, and a rebuild puts it right', { timeout: 180_000 }, async () => {
    expect(await verifyStats(t.deps.database.db)).toEqual([]);
    await t.deps.database.query(
      `update stat_rollups set value = value + 7 where region_code = $1 and key = 'hours.total' and grain = 'y'
       and period = '2026-01-01'`,
      [COUNTY],
    );
    const diffs = await verifyStats(t.deps.database.db);
    expect(diffs).toEqual([
      expect.objectContaining({ table: 'stat_rollups', where: `${COUNTY} hours.total y 2026-01-01` }),
    ]);
    expect(diffs[0].actual - diffs[0].expected).toBe(7);
    await rebuildStats(t.deps.database.db);
    expect(await verifyStats(t.deps.database.db)).toEqual([]);
  });
});

describe('Excel and the monthly report', () => {
  const book = async (url: string) => {
    const res = await get(ADMIN, url);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    return wb;
  };

  it('the overview by town as a workbook: the same figures, each town a row, the definitions on a sheet', async () => {
    const range = 'from=2025-01-01&to=2025-12-31';
    const o = await ok(ADMIN, `/stats/overview?${range}&by=town`);
    const wb = await book(`/stats/overview?${range}&by=town&format=xlsx`);
    const sheet = wb.getWorksheet('总览')!;
    const value = (label: string) => {
      let v: unknown;
      sheet.eachRow((r) => {
        if (r.getCell(1).value === label) v = r.getCell(2).value;
      });
      return v;
    };
    for (const f of o.figures) expect(value(f.label), f.key).toBe(f.value);
    const by = wb.getWorksheet('分区域')!;
    expect(by.rowCount).toBe(2 + o.regions.length + 1);
    expect(wb.getWorksheet('指标口径')!.rowCount).toBe(1 + o.figures.length);
  });

  it('the rows behind a figure as a workbook: every row, not one page', async () => {
    const range = 'from=2025-01-01&to=2025-12-31';
    const r = await ok(ADMIN, `/stats/rows?key=activities.total&${range}&pageSize=5`);
    const wb = await book(`/stats/rows?key=activities.total&${range}&format=xlsx`);
    const ws = wb.getWorksheet('明细')!;
    expect(ws.rowCount).toBe(2 + r.total + 3);
  });

  it('月报: a month of figures by lower region, as JSON and Excel; months per row for a year', async () => {
    const m = await ok(PHONES.xinjiAdmin, '/reports/monthly?month=2026-05');
    expect(m).toMatchObject({ regionCode: XINJI, from: '2026-05-01', to: '2026-05-31' });
    const o = await ok(PHONES.xinjiAdmin, '/stats/overview?from=2026-05-01&to=2026-05-31&by=village');
    expect(m.figures).toEqual(o.figures);
    expect(m.regions).toEqual(o.regions);
    const current = await ok(PHONES.xinjiAdmin, '/reports/monthly?month=2026-06');
    expect(current.to).toBe('2026-06-01'); // the month so far
    expect((await get(PHONES.xinjiAdmin, '/reports/monthly?month=2026-07')).statusCode).toBe(400);
    expect((await get(PHONES.xinjiAdmin, '/reports/monthly?month=2026-5')).body).toContain('month');
    const wb = await book('/stats/series?from=2025-01-01&to=2025-12-31&format=xlsx');
    expect(wb.getWorksheet('月报')!.rowCount).toBe(2 + 12 + 1);
  });
});

describe('待办', () => {
  it('counts what waits for each role in their scope, each with the page that does it', async () => {
    const county = await ok(ADMIN, '/stats/todo');
    const keys = county.items.map((i: Json) => i.key);
    expect(keys).toEqual(expect.arrayContaining(['orders.toDispatch', 'claims.toReview', 'stations.belowStandard']));
    for (const i of county.items) {
      expect(i.count, i.key).toBeGreaterThanOrEqual(0);
      expect(i.label).toMatch(/[\u4e00-\u9fa5]/);
      expect(i.path).toMatch(/^\//);
    }
    const submitted = Number(
      (
        await t.deps.database.query(
          `select count(*)::int as n from orders where county_code = $1 and state = 'submitted'`,
          [COUNTY],
        )
      ).rows[0].n,
    );
    expect(county.items.find((i: Json) => i.key === 'orders.toDispatch').count).toBe(submitted);
    const town = await ok(PHONES.xinjiAdmin, '/stats/todo');
    const inTown = Number(
      (
        await t.deps.database.query(
          `select count(*)::int as n from orders where region_path like $1 and state = 'submitted'`,
          [`/${COUNTY}/${XINJI}/%`],
        )
      ).rows[0].n,
    );
    expect(town.items.find((i: Json) => i.key === 'orders.toDispatch').count).toBe(inTown);
    expect(town.items.find((i: Json) => i.key === 'submissions.missing')).toBeTruthy();
    // a resident has nothing waiting; a 三员 account has no business and is refused
    expect((await ok(PHONES.resident, '/stats/todo')).items.filter((i: Json) => i.count > 0)).toEqual([]);
    expect((await get(PHONES.auditor, '/stats/todo')).statusCode).toBe(403);
  });
});

describe('the big screen', () => {
  it("answers the county's year, trends, town ranking, funnel and a feed with masked names", async () => {
    const s = await ok(ADMIN, '/stats/screen');
    expect(s.region).toMatchObject({ code: COUNTY, level: 'county' });
    expect(s.series).toHaveLength(12);
    const towns = await t.deps.database.query(`select count(*)::int as n from regions where parent_code = $1`, [
      COUNTY,
    ]);
    expect(s.ranking).toHaveLength(Number(towns.rows[0].n));
    expect(s.funnel.map((f: Json) => f.key)).toEqual(['submitted', 'dispatched', 'accepted', 'completed', 'rated']);
    for (let i = 1; i < s.funnel.length; i++) expect(s.funnel[i].value).toBeLessThanOrEqual(s.funnel[i - 1].value);
    const o = await ok(ADMIN, `/stats/overview?from=${s.from}&to=${s.to}`);
    expect(s.figures).toEqual(o.figures);
    expect(s.funnel[0].value).toBe(figure(o, 'orders.submitted'));
    expect(s.feed.length).toBeGreaterThan(0);
    for (const f of s.feed.filter((x: Json) => x.person)) expect(f.person).toMatch(/\*/);
    const town = await ok(ADMIN, `/stats/screen?regionCode=${XINJI}`);
    expect(town.region).toMatchObject({ code: XINJI, level: 'town', parentCode: COUNTY });
  });

  it('a display link opens its region without signing in, drills down within it only, and stops when revoked', async () => {
    const created = await t.as(PHONES.xinjiAdmin)({
      method: 'POST',
      url: '/api/v1/stats/display-links',
      payload: { label: '新集镇文明实践所大厅' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, token, regionCode } = created.json();
    expect(regionCode).toBe(XINJI);
    const open = await t.app.inject({ method: 'GET', url: `/api/v1/public/screen?token=${token}` });
    expect(open.statusCode, open.body).toBe(200);
    expect(open.json().region.code).toBe(XINJI);
    const village = open.json().ranking[0].code;
    const down = await t.app.inject({
      method: 'GET',
      url: `/api/v1/public/screen?token=${token}&regionCode=${village}`,
    });
    expect(down.statusCode).toBe(200);
    const up = await t.app.inject({ method: 'GET', url: `/api/v1/public/screen?token=${token}&regionCode=${COUNTY}` });
    expect(up.statusCode).toBe(404);
    const list = await ok(PHONES.xinjiAdmin, '/stats/display-links');
    expect(list.items.find((l: Json) => l.id === id)).toMatchObject({ label: '新集镇文明实践所大厅', revokedAt: null });
    expect(JSON.stringify(list)).not.toContain(token);
    const del = await t.as(PHONES.xinjiAdmin)({ method: 'DELETE', url: `/api/v1/stats/display-links/${id}` });
    expect(del.statusCode).toBe(204);
    const gone = await t.app.inject({ method: 'GET', url: `/api/v1/public/screen?token=${token}` });
    expect(gone.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/public/screen?token=xxxxxxxxxxxxxxxx' });
    expect(bad.statusCode).toBe(404);
  });
});
