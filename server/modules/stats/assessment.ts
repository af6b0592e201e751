import type { ListCache } from '../../platform/lists.js';
import { contentDisposition } from '../../platform/http.js';
import { sql } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import type { DbOrTx } from '../../db/client.js';
import { chinaDate } from '../../platform/clock.js';
import { invalid } from '../../platform/errors.js';
import { escapeLike, type Scope } from '../../platform/scope.js';
import {
  assessmentIndicatorKeys,
  type AssessmentIndicatorKey,
  type AssessmentIndicatorSetting,
} from '../settings/definitions.js';
import { getSetting } from '../settings/service.js';
import { figureByKey } from './definitions.js';
import { overviewWithComponents, statsPeriod, statsRegion, type Components, type PeriodQuery } from './service.js';

/**
 * Assessment (考核) of towns or villages over a period: each indicator is a value read from the overview's
 * components (never from the raw ledgers), scored against the county's target (value ÷ target × 100, at most 100),
 * weighted by the county's weights (which add up to 100); the total ranks the regions.
 */

export type AssessmentLevel = 'town' | 'village';
type Part = { label: string; value: number; unit: string };
type Measured = { value: number | null; parts: Part[]; note?: string };

type IndicatorDef = {
  label: string;
  unit: string;
  /** `{target}`, `{dueDay}` and `{threshold}` are filled in from the county's settings. */
  definition: string;
  defaultTarget: number;
  /** The target is per station and year; the period's target is pro rata by its days. */
  perYear?: boolean;
};

export const indicatorDefs: Record<AssessmentIndicatorKey, IndicatorDef> = {
  coverage: {
    label: '阵地覆盖率',
    unit: '%',
    definition: `${figureByKey.get('coverage.rate')!.definition}；目标 {target}%`,
    defaultTarget: 100,
  },
  compliantStations: {
    label: '实践站达标率',
    unit: '%',
    definition: '统计期末达标实践站数 ÷ 实践站数 × 100%（达标以最近一次有效检查结论为准）；目标 {target}%',
    defaultTarget: 100,
  },
  activitiesPerStation: {
    label: '站均开展活动',
    unit: '场/站',
    definition: '统计期内开展的活动场次 ÷ 统计期末实践站数；目标为每站每年 {target} 场，按统计期天数折算（天数 ÷ 365）',
    defaultTarget: 12,
    perYear: true,
  },
  volunteersPer1000: {
    label: '每千人活跃志愿者',
    unit: '人/千人',
    definition:
      '统计期内服务时长超过 {threshold} 小时的活跃志愿者人数 ÷ 常住人口 × 1000；常住人口未登记的，按区域内登记家庭成员数之和计算；目标 {target} 人/千人',
    defaultTarget: 10,
  },
  satisfaction: {
    label: '群众满意率',
    unit: '%',
    definition: `${figureByKey.get('orders.satisfaction')!.definition}；目标 {target}%`,
    defaultTarget: 100,
  },
  submissionsOnTime: {
    label: '月度报送及时率',
    unit: '%',
    definition:
      '统计期内各月（已过报送截止日的月份）应报送的月度台账中，在次月 {dueDay} 日（含）前报送且未被退回的比例；应报送单位：乡镇的实践所、村（社区）的实践站；目标 {target}%',
    defaultTarget: 100,
  },
  teamsServed: {
    label: '队伍服务开展率',
    unit: '%',
    definition:
      '100% − 截至统计期末从未开展服务的队伍数 ÷ 队伍总数 × 100%（从未开展服务的队伍越少越好）；目标 {target}%',
    defaultTarget: 100,
  },
};

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const share = (num: number, den: number) => (den ? (num / den) * 100 : null);
const pct = (v: number | null) => (v === null ? '—' : `${round1(v)}%`);

export type AssessmentQuery = PeriodQuery & { level?: string };

/** The period's days, both ends included. */
const daysOf = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

export async function assessment(
  db: DbOrTx,
  scope: Scope,
  countyCode: string,
  now: Date,
  q: AssessmentQuery,
  cache?: ListCache,
) {
  const asked = q.level ?? 'town';
  if (asked !== 'town' && asked !== 'village') throw invalid('level', 'level 应为 town（乡镇）或 village（村、社区）');
  const level: AssessmentLevel = asked;
  const region = await statsRegion(db, scope, countyCode, q.regionCode);
  const { from, to } = statsPeriod(q, now);
  const levels = ['county', 'town', 'village'];
  if (levels.indexOf(level) <= levels.indexOf(region.level))
    throw invalid('level', '考核对象应为所选区划的下级（town 乡镇或 village 村、社区）');

  const { overview, components } = await overviewWithComponents(
    db,
    scope,
    countyCode,
    now,
    { regionCode: region.code, from, to, by: level },
    cache,
  );
  const settings = await getSetting<AssessmentIndicatorSetting[]>(db, region.countyCode, 'assessment.indicators');
  const dueDay = await getSetting<number>(db, region.countyCode, 'submissions.dueDay');
  const threshold = await getSetting<number>(db, region.countyCode, 'stats.activeVolunteerHours');
  const days = daysOf(from, to);

  const indicators = settings
    .filter((s) => assessmentIndicatorKeys.includes(s.key))
    .map((s) => {
      const d = indicatorDefs[s.key];
      const target = s.target ?? d.defaultTarget;
      return {
        key: s.key,
        label: d.label,
        unit: d.unit,
        weight: s.weight,
        target,
        periodTarget: d.perYear ? round2((target * days) / 365) : target,
        definition: d.definition
          .replace('{target}', String(target))
          .replace('{dueDay}', String(dueDay))
          .replace('{threshold}', String(threshold)),
      };
    });

  const units = (overview.regions ?? []).filter((r) => !r.own);
  const paths = await regionFacts(
    db,
    units.map((u) => u.code),
  );
  const population = await populations(db, paths);
  const submissions = await submissionsOnTime(db, region.countyCode, paths, from, to, dueDay, now);

  const measure = (key: AssessmentIndicatorKey, code: string, c: Components): Measured => {
    switch (key) {
      case 'coverage': {
        const [n, d] = [c.villagesCompliant ?? 0, c.villages ?? 0];
        return {
          value: share(n, d),
          parts: [
            { label: '建有达标站的村（社区）', value: n, unit: '个' },
            { label: '村（社区）总数', value: d, unit: '个' },
          ],
          note: d ? `${n} ÷ ${d} = ${pct(share(n, d))}` : '区域内没有村（社区），按 0 分计',
        };
      }
      case 'compliantStations': {
        const [n, d] = [c['sites.compliantStations'] ?? 0, c['sites.stations'] ?? 0];
        return {
          value: share(n, d),
          parts: [
            { label: '达标实践站', value: n, unit: '个' },
            { label: '实践站', value: d, unit: '个' },
          ],
          note: d ? `达标站 ${n} ÷ 实践站 ${d} = ${pct(share(n, d))}` : '没有实践站，按 0 分计',
        };
      }
      case 'activitiesPerStation': {
        const [n, d] = [c['p:activities.total'] ?? 0, c['sites.stations'] ?? 0];
        const v = d ? n / d : null;
        return {
          value: v,
          parts: [
            { label: '开展活动', value: n, unit: '场' },
            { label: '实践站', value: d, unit: '个' },
          ],
          note: d ? `活动 ${n} 场 ÷ 实践站 ${d} 个 = ${round2(v!)} 场/站` : '没有实践站，按 0 分计',
        };
      }
      case 'volunteersPer1000': {
        const n = c['s:volunteer.hours'] ?? 0;
        const p = population.get(code) ?? { value: 0, estimated: true };
        const v = p.value ? (n / p.value) * 1000 : null;
        const source = p.estimated ? `常住人口未登记，按登记家庭成员数 ${p.value} 人计` : `常住人口 ${p.value} 人`;
        return {
          value: v,
          parts: [
            { label: '活跃志愿者', value: n, unit: '人' },
            { label: p.estimated ? '登记家庭成员（代替常住人口）' : '常住人口', value: p.value, unit: '人' },
          ],
          note:
            v === null
              ? `${source}，无法计算，按 0 分计`
              : `活跃志愿者 ${n} 人 ÷ ${p.value} 人 × 1000 = ${round2(v)}；${source}`,
        };
      }
      case 'satisfaction': {
        const [n, d] = [c['p:orders.satisfied'] ?? 0, c['p:orders.rated'] ?? 0];
        return {
          value: share(n, d),
          parts: [
            { label: '满意（4 星及以上）', value: n, unit: '单' },
            { label: '群众评价', value: d, unit: '单' },
          ],
          note: d ? `满意 ${n} ÷ 评价 ${d} = ${pct(share(n, d))}` : '统计期内没有群众评价，按 0 分计',
        };
      }
      case 'submissionsOnTime': {
        const s = submissions.get(code) ?? { expected: 0, onTime: 0 };
        return {
          value: share(s.onTime, s.expected),
          parts: [
            { label: '按时报送', value: s.onTime, unit: '份' },
            { label: '应报送', value: s.expected, unit: '份' },
          ],
          note: s.expected
            ? `按时 ${s.onTime} ÷ 应报 ${s.expected} = ${pct(share(s.onTime, s.expected))}`
            : '统计期内没有已到截止日的应报送台账，按 0 分计',
        };
      }
      case 'teamsServed': {
        const [n, d] = [c.neverServed ?? 0, c['c:teams.total'] ?? 0];
        const v = d ? 100 - (n / d) * 100 : null;
        return {
          value: v,
          parts: [
            { label: '从未开展服务的队伍', value: n, unit: '支' },
            { label: '队伍总数', value: d, unit: '支' },
          ],
          note: d ? `100% − ${n} ÷ ${d} = ${pct(v)}` : '没有志愿服务队伍，按 0 分计',
        };
      }
    }
  };

  const items = units.map((u) => {
    const c = components.get(u.code) ?? {};
    const inputs = indicators.map((ind) => {
      const m = measure(ind.key, u.code, c);
      // the value shown is the value scored: shares to 0.1 % (as the overview states them), ratios to 0.01
      const value = m.value === null ? null : ind.unit === '%' ? round1(m.value) : round2(m.value);
      const score = value === null ? 0 : round1(Math.min(100, Math.max(0, (value / ind.periodTarget) * 100)));
      return {
        key: ind.key,
        value,
        unit: ind.unit,
        target: ind.periodTarget,
        score,
        weighted: round2((score * ind.weight) / 100),
        parts: m.parts,
        note: m.note,
      };
    });
    return { code: u.code, name: u.name, score: round1(inputs.reduce((a, i) => a + i.weighted, 0)), inputs };
  });
  items.sort((a, b) => b.score - a.score || a.code.localeCompare(b.code));
  const ranked = items.map((it) => ({ ...it, rank: items.findIndex((o) => o.score === it.score) + 1 }));

  return {
    regionCode: region.code,
    regionName: region.name,
    level,
    from,
    to,
    asOf: overview.asOf,
    indicators: indicators.map(({ periodTarget, ...i }) => ({ ...i, periodTarget })),
    items: ranked,
  };
}

export type Assessment = Awaited<ReturnType<typeof assessment>>;

type Facts = { code: string; path: string; level: string; population: number | null };

async function regionFacts(db: DbOrTx, codes: string[]): Promise<Facts[]> {
  if (!codes.length) return [];
  const { rows } = await db.execute(sql`
    select code, path, level, population from regions where code in (${sql.join(
      codes.map((c) => sql`${c}`),
      sql`, `,
    )})`);
  return rows as Facts[];
}

/** Residents: the region's entered population, else the members of the households registered under it. */
async function populations(db: DbOrTx, regions: Facts[]) {
  const out = new Map<string, { value: number; estimated: boolean }>();
  const unknown = regions.filter((r) => r.population === null);
  for (const r of regions) if (r.population !== null) out.set(r.code, { value: r.population, estimated: false });
  if (!unknown.length) return out;
  const { rows } = await db.execute(sql`
    select r.code, coalesce((select sum(h.member_count) from households h
      where h.region_path like r.path || '%'), 0)::int as n
    from (values ${sql.join(
      unknown.map((r) => sql`(${r.code}, ${escapeLike(r.path)})`),
      sql`, `,
    )}) r(code, path)`);
  for (const r of rows as { code: string; n: number }[]) out.set(r.code, { value: Number(r.n), estimated: true });
  return out;
}

/**
 * Monthly submissions due in the period (months that overlap it and whose due day has passed): one for each town
 * with a 实践所 and each village with a 实践站 (built before the month's end), counted on time when submitted by the
 * end of the due day (China time) and not returned.
 */
async function submissionsOnTime(
  db: DbOrTx,
  countyCode: string,
  units: Facts[],
  from: string,
  to: string,
  dueDay: number,
  now: Date,
) {
  const out = new Map<string, { expected: number; onTime: number }>();
  const today = chinaDate(now);
  const months: { ym: string; monthEnd: string; dueEnd: string }[] = [];
  for (let y = Number(from.slice(0, 4)), m = Number(from.slice(5, 7)); ;) {
    const ym = `${y}-${String(m).padStart(2, '0')}`;
    if (ym > to.slice(0, 7)) break;
    const [ny, nm] = m === 12 ? [y + 1, 1] : [y, m + 1];
    const next = `${ny}-${String(nm).padStart(2, '0')}`;
    const due = `${next}-${String(dueDay).padStart(2, '0')}`;
    if (today > due) months.push({ ym, monthEnd: `${next}-01T00:00:00+08:00`, dueEnd: `${due}T23:59:59.999+08:00` });
    [y, m] = [ny, nm];
  }
  if (!units.length || !months.length) return out;
  const { rows } = await db.execute(sql`
    with months(ym, month_end, due_end) as (values ${sql.join(
      months.map((m) => sql`(${m.ym}, ${m.monthEnd}::timestamptz, ${m.dueEnd}::timestamptz)`),
      sql`, `,
    )}), units(code, path) as (values ${sql.join(
      units.map((u) => sql`(${u.code}, ${escapeLike(u.path) + '%'})`),
      sql`, `,
    )}), due as (
      select u.code as unit, r.code, m.ym, m.due_end from units u
      join regions r on r.path like u.path and r.level in ('town', 'village')
      cross join months m
      where exists (select 1 from sites s where s.county_code = ${countyCode} and s.region_code = r.code
        and s.kind = case r.level when 'town' then 'institute' else 'station' end and s.created_at < m.month_end)
    )
    select d.unit, count(*)::int as expected, count(s.id) filter (
      where s.state <> 'returned' and s.submitted_at <= d.due_end)::int as on_time
    from due d left join submissions s on s.region_code = d.code and s.month = d.ym
    group by d.unit`);
  for (const r of rows as { unit: string; expected: number; on_time: number }[])
    out.set(r.unit, { expected: Number(r.expected), onTime: Number(r.on_time) });
  return out;
}

// ---------- the workbook ----------

/** exceljs is large; it loads on the first export, not at start. */
const excel = async () => (await import('exceljs')).default;

const levelNames: Record<AssessmentLevel, string> = { town: '乡镇', village: '村（社区）' };

export function assessmentFileName(a: Assessment) {
  const name = `${a.regionName}${levelNames[a.level]}考核评估（${a.from}至${a.to}）.xlsx`;
  return contentDisposition(name, { ascii: `assessment-${a.regionCode}-${a.level}-${a.from}-${a.to}.xlsx` });
}

/** The ranking (one row per region: rank, score, each indicator's value and score) and a sheet of the inputs. */
export async function assessmentWorkbook(a: Assessment): Promise<Buffer> {
  const ExcelJS = await excel();
  const wb = new ExcelJS.Workbook();
  const title = `${a.regionName}${levelNames[a.level]}考核评估（${a.from} 至 ${a.to}）`;
  const head = (ws: ExcelJS.Worksheet, columns: string[]) => {
    ws.addRow([title]).font = { bold: true, size: 14 };
    const h = ws.addRow(columns);
    h.font = { bold: true };
    h.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
  };

  const rank = wb.addWorksheet('考核排名');
  head(rank, [
    '名次',
    '区划代码',
    '名称',
    '总分',
    ...a.indicators.flatMap((i) => [`${i.label}（${i.unit}）`, `${i.label}得分（权重 ${i.weight}）`]),
  ]);
  for (const it of a.items)
    rank.addRow([it.rank, it.code, it.name, it.score, ...it.inputs.flatMap((x) => [x.value ?? '—', x.score])]);
  rank.columns.forEach((c, i) => (c.width = i === 2 ? 18 : i === 1 ? 14 : 12));

  const inputs = wb.addWorksheet('计算过程');
  head(inputs, ['名称', '指标', '实际值', '单位', '目标值', '得分', '权重', '加权得分', '计算过程']);
  for (const it of a.items)
    for (const x of it.inputs) {
      const ind = a.indicators.find((i) => i.key === x.key)!;
      inputs.addRow([
        it.name,
        ind.label,
        x.value ?? '—',
        x.unit,
        x.target,
        x.score,
        ind.weight,
        x.weighted,
        x.note ?? '',
      ]);
    }
  inputs.columns.forEach((c, i) => (c.width = i === 8 ? 60 : i === 0 || i === 1 ? 18 : 10));

  const defs = wb.addWorksheet('指标口径');
  head(defs, ['指标', '权重', '目标值', '单位', '口径']);
  for (const i of a.indicators) defs.addRow([i.label, i.weight, i.target, i.unit, i.definition]);
  defs.columns.forEach((c, i) => (c.width = i === 4 ? 90 : 14));

  return Buffer.from(await wb.xlsx.writeBuffer());
}
