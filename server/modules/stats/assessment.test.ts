import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness.js';
import { PHONES } from '../../test/constants.js';

let t: TestApp;
const COUNTY = '411523';
const XINJI = '411523100';
const ADMIN = PHONES.countyAdmin;
const FROM = '2026-01-01';
const TO = '2026-05-31';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const get = async (phone: string, url: string) => t.as(phone)({ method: 'GET', url: `/api/v1${url}` });
const ok = async (phone: string, url: string) => {
  const res = await get(phone, url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Json;
};
const put = (phone: string, url: string, payload: unknown) =>
  t.as(phone)({ method: 'PUT', url: `/api/v1${url}`, payload: payload as Json });
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const q = async (s: string, p: unknown[] = []) => (await t.deps.database.query(s, p)).rows as Json[];

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/**
 * The assessment computed here, independently: from the overview's figures (by=town), the regions' population or
 * household members, and the submissions table.
 */
async function expectedRanking(weights: Record<string, number>, targets: Record<string, number>) {
  const o = await ok(ADMIN, `/stats/overview?from=${FROM}&to=${TO}&by=town`);
  const days = 151; // 2026-01-01 … 2026-05-31
  const out: { code: string; score: number }[] = [];
  for (const r of (o.regions as Json[]).filter((x) => !x.own)) {
    const f = (k: string) => (r.figures as Json[]).find((x) => x.key === k)!.value as number;
    const [reg] = await q(`select path, population from regions where code = $1`, [r.code]);
    const [hh] = await q(`select coalesce(sum(member_count), 0)::int as n from households where region_path like $1`, [
      `${reg.path}%`,
    ]);
    const population = reg.population ?? Number(hh.n);
    // submissions due (Jan–Apr; May's due day 2026-06-05 has not come on 2026-06-01) for the town's institute and
    // its villages' stations
    const [sub] = await q(
      `select count(*)::int as expected, count(s.id) filter (where s.state <> 'returned'
         and s.submitted_at <= ((to_date(m.ym || '-01', 'YYYY-MM-DD') + interval '1 month' + interval '4 days')::date
           || 'T23:59:59.999+08:00')::timestamptz)::int as on_time
       from regions r cross join (values ('2026-01'), ('2026-02'), ('2026-03'), ('2026-04')) m(ym)
       left join submissions s on s.region_code = r.code and s.month = m.ym
       where r.path like $1 and exists (select 1 from sites x where x.region_code = r.code
         and x.kind = case r.level when 'town' then 'institute' else 'station' end
         and x.created_at < (to_date(m.ym || '-01', 'YYYY-MM-DD') + interval '1 month')::date::text::timestamp
           at time zone 'Asia/Shanghai')`,
      [`${reg.path}%`],
    );
    const stations = f('sites.stations');
    const teams = f('teams.total');
    const values: Record<string, number | null> = {
      coverage: f('coverage.rate'),
      compliantStations: stations ? round1((f('sites.compliantStations') / stations) * 100) : null,
      activitiesPerStation: stations ? round2(f('activities.total') / stations) : null,
      volunteersPer1000: population ? round2((f('volunteers.active') / population) * 1000) : null,
      satisfaction: f('orders.satisfaction'),
      submissionsOnTime: sub.expected ? round1((sub.on_time / sub.expected) * 100) : null,
      teamsServed: teams ? round1(100 - (f('teams.neverServed') / teams) * 100) : null,
    };
    let score = 0;
    for (const [k, w] of Object.entries(weights)) {
      const target = k === 'activitiesPerStation' ? round2((targets[k] * days) / 365) : targets[k];
      const v = values[k];
      const s = v === null ? 0 : round1(Math.min(100, (v / target) * 100));
      score += round2((s * w) / 100);
    }
    out.push({ code: r.code, score: round1(score) });
  }
  return out;
}

const defaults = {
  weights: {
    coverage: 20,
    compliantStations: 15,
    activitiesPerStation: 20,
    volunteersPer1000: 15,
    satisfaction: 10,
    submissionsOnTime: 10,
    teamsServed: 10,
  },
  targets: {
    coverage: 100,
    compliantStations: 100,
    activitiesPerStation: 12,
    volunteersPer1000: 10,
    satisfaction: 100,
    submissionsOnTime: 100,
    teamsServed: 100,
  },
};

describe('the assessment of towns', () => {
  it("ranks the county's towns by the score computed from the overview's figures, ties sharing a rank", async () => {
    // one town with its residents entered, the others estimated from the household members
    const set = await put(ADMIN, `/regions/${XINJI}/population`, { population: 2000 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().population).toBe(2000);

    const a = await ok(ADMIN, `/stats/assessment?from=${FROM}&to=${TO}&level=town`);
    expect(a).toMatchObject({ regionCode: COUNTY, level: 'town', from: FROM, to: TO });
    expect(a.indicators.map((i: Json) => i.weight).reduce((x: number, y: number) => x + y, 0)).toBe(100);
    for (const i of a.indicators) expect(i.definition).toMatch(/[\u4e00-\u9fa5]/);
    expect(a.indicators.find((i: Json) => i.key === 'activitiesPerStation').periodTarget).toBe(
      round2((12 * 151) / 365),
    );

    const expected = await expectedRanking(defaults.weights, defaults.targets);
    expect(a.items).toHaveLength(expected.length);
    expect(expected.length).toBeGreaterThan(1);
    for (const e of expected) expect(a.items.find((i: Json) => i.code === e.code)?.score, e.code).toBe(e.score);
    for (let i = 0; i < a.items.length; i++) {
      const it = a.items[i];
      expect(it.score).toBe(round1(it.inputs.reduce((s: number, x: Json) => s + x.weighted, 0)));
      if (i > 0) expect(it.score).toBeLessThanOrEqual(a.items[i - 1].score);
      expect(it.rank).toBe(a.items.filter((o: Json) => o.score > it.score).length + 1);
    }

    // each score shows what it was computed from
    const xinji = a.items.find((i: Json) => i.code === XINJI);
    const vol = xinji.inputs.find((x: Json) => x.key === 'volunteersPer1000');
    expect(vol.note).toContain('常住人口 2000 人');
    expect(vol.parts[1]).toMatchObject({ value: 2000 });
    const other = a.items.find((i: Json) => i.code !== XINJI).inputs.find((x: Json) => x.key === 'volunteersPer1000');
    expect(other.note).toContain('按登记家庭成员数');
    const comp = xinji.inputs.find((x: Json) => x.key === 'compliantStations');
    expect(comp.parts.map((p: Json) => p.label)).toEqual(['达标实践站', '实践站']);
  });

  it('ranks villages too, and a town admin assesses the villages of their town', async () => {
    const v = await ok(ADMIN, `/stats/assessment?from=${FROM}&to=${TO}&level=village&regionCode=${XINJI}`);
    expect(v.items.length).toBeGreaterThan(0);
    for (const it of v.items) expect(it.inputs).toHaveLength(7);
    const mine = await ok(PHONES.xinjiAdmin, `/stats/assessment?from=${FROM}&to=${TO}&level=village`);
    expect(mine.regionCode).toBe(XINJI);
    expect(mine.items.map((i: Json) => [i.code, i.score])).toEqual(v.items.map((i: Json) => [i.code, i.score]));
  });
});

describe('weights and targets (county settings)', () => {
  const bad = async (value: unknown, text: string) => {
    const res = await put(ADMIN, '/settings', { 'assessment.indicators': value });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).toContain('assessment.indicators');
    expect(res.body).toContain(text);
  };

  it('refuses weights that do not add up to 100, negative weights, unknown and repeated keys', async () => {
    await bad(
      [
        { key: 'coverage', weight: 50 },
        { key: 'satisfaction', weight: 40 },
      ],
      '权重之和应为 100，现为 90',
    );
    await bad(
      [
        { key: 'coverage', weight: 110 },
        { key: 'satisfaction', weight: -10 },
      ],
      '第 1 项',
    );
    await bad(
      [
        { key: 'coverage', weight: 50 },
        { key: 'satisfaction', weight: -10 },
        { key: 'teamsServed', weight: 60 },
      ],
      '第 2 项权重不能小于 0',
    );
    await bad([{ key: 'happiness', weight: 100 }], '第 1 项指标 key 应为');
    await bad(
      [
        { key: 'coverage', weight: 50 },
        { key: 'coverage', weight: 50 },
      ],
      '重复',
    );
    await bad([{ key: 'coverage', weight: 100, target: 0 }], '目标值应大于 0');
    await bad('coverage', '应为指标列表');
  });

  it('scores with the weights and targets the county sets', async () => {
    const weights = { coverage: 40, activitiesPerStation: 60 };
    const targets = { coverage: 80, activitiesPerStation: 24 };
    const res = await put(ADMIN, '/settings', {
      'assessment.indicators': [
        { key: 'coverage', weight: 40, target: 80 },
        { key: 'activitiesPerStation', weight: 60, target: 24 },
      ],
    });
    expect(res.statusCode, res.body).toBe(200);
    const a = await ok(ADMIN, `/stats/assessment?from=${FROM}&to=${TO}&level=town`);
    expect(a.indicators.map((i: Json) => [i.key, i.weight, i.target])).toEqual([
      ['coverage', 40, 80],
      ['activitiesPerStation', 60, 24],
    ]);
    const expected = await expectedRanking(weights, targets as Record<string, number>);
    for (const e of expected) expect(a.items.find((i: Json) => i.code === e.code)?.score, e.code).toBe(e.score);
    // back to the defaults for the other tests
    const reset = await put(ADMIN, '/settings', {
      'assessment.indicators': Object.entries(defaults.weights).map(([key, weight]) => ({
        key,
        weight,
        target: defaults.targets[key as keyof typeof defaults.targets],
      })),
    });
    expect(reset.statusCode, reset.body).toBe(200);
  });
});

describe('the Excel export', () => {
  it('answers a workbook with the same ranking and scores, Chinese headers and a named file', async () => {
    const a = await ok(ADMIN, `/stats/assessment?from=${FROM}&to=${TO}&level=town`);
    const res = await get(ADMIN, `/stats/assessment?from=${FROM}&to=${TO}&level=town&format=xlsx`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const cd = String(res.headers['content-disposition']);
    expect(cd).toMatch(
      /^attachment; filename="assessment-411523-town-2026-01-01-2026-05-31\.xlsx"; filename\*=UTF-8''/,
    );
    expect(decodeURIComponent(cd.split("UTF-8''")[1])).toBe('新县乡镇考核评估（2026-01-01至2026-05-31）.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('考核排名')!;
    expect(ws.getRow(2).values).toEqual(expect.arrayContaining(['名次', '区划代码', '名称', '总分']));
    const rows: [number, string, number][] = [];
    ws.eachRow((row, n) => {
      if (n > 2) rows.push([Number(row.getCell(1).value), String(row.getCell(2).value), Number(row.getCell(4).value)]);
    });
    expect(rows).toEqual(a.items.map((i: Json) => [i.rank, i.code, i.score]));
    expect(wb.getWorksheet('计算过程')!.rowCount).toBe(2 + a.items.length * a.indicators.length);
    expect(wb.getWorksheet('指标口径')!.getRow(3).getCell(1).value).toBe(a.indicators[0].label);
  });
});

describe('scope and bad input', () => {
  it('a region out of scope is not found', async () => {
    expect((await get(PHONES.xinjiAdmin, `/stats/assessment?regionCode=${COUNTY}`)).statusCode).toBe(404);
    expect((await get(PHONES.xinjiAdmin, '/stats/assessment?regionCode=411523101&level=village')).statusCode).toBe(404);
    expect((await get(PHONES.resident, '/stats/assessment')).statusCode).toBe(403);
  });

  it('refuses bad periods and levels with the field named', async () => {
    const bad = async (phone: string, url: string, field: string) => {
      const res = await get(phone, url);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json().error?.details ?? res.json()), url).toContain(`"${field}"`);
      expect(res.body).toMatch(/[\u4e00-\u9fa5]/);
    };
    await bad(ADMIN, '/stats/assessment?from=2026-05-01&to=2026-04-01', 'to');
    await bad(ADMIN, '/stats/assessment?level=province', 'level');
    await bad(ADMIN, `/stats/assessment?regionCode=${XINJI}&level=town`, 'level');
    await bad(PHONES.xinjiAdmin, '/stats/assessment?level=town', 'level');
    await bad(ADMIN, '/stats/assessment?format=pdf', 'format');
  });

  it('population: county staff set it within their county; others may not', async () => {
    expect((await put(PHONES.resident, `/regions/${XINJI}/population`, { population: 10 })).statusCode).toBe(403);
    const neg = await put(ADMIN, `/regions/${XINJI}/population`, { population: -1 });
    expect(neg.statusCode).toBe(400);
    expect(neg.body).toContain('population');
    expect((await put(ADMIN, '/regions/110101001/population', { population: 10 })).statusCode).toBe(404);
    const clear = await put(ADMIN, `/regions/${XINJI}/population`, { population: null });
    expect(clear.statusCode, clear.body).toBe(200);
    expect(clear.json().population).toBeNull();
  });
});
