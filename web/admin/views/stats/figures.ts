import type { EChartsCoreOption } from 'echarts/core';
import { formatNumber } from '../../../common/format';
import {
  activityTypeLabels,
  honorKindLabels,
  labelOf,
  teamLevelLabels,
  wishStateLabels,
  type LabelMap,
} from '../../../common/labels';
import { addDays, addMonths, monthOf, today } from '../../../common/time';
import type { StatsFigure, StatsSeries } from '../../api';
import { msg } from '../../locales/zh-CN';

const s = msg.stats;

/** The card groups of the 统计分析 page, by the figure key's prefix; a key of no group goes to the last one. */
export const FIGURE_GROUPS = [
  { id: 'sites', title: s.groups.sites, prefixes: ['sites.', 'coverage.'] },
  { id: 'people', title: s.groups.people, prefixes: ['volunteers.', 'teams.', 'hours.'] },
  { id: 'activities', title: s.groups.activities, prefixes: ['activities.'] },
  { id: 'orders', title: s.groups.orders, prefixes: ['orders.'] },
  { id: 'others', title: s.groups.others, prefixes: ['wishes.', 'points.', 'honors.', 'articles.'] },
] as const;

export function groupFigures(figures: StatsFigure[]): { id: string; title: string; figures: StatsFigure[] }[] {
  const last = FIGURE_GROUPS.length - 1;
  const out = FIGURE_GROUPS.map((g) => ({ id: g.id, title: g.title, figures: [] as StatsFigure[] }));
  for (const f of figures) {
    const i = FIGURE_GROUPS.findIndex((g) => g.prefixes.some((p) => f.key.startsWith(p)));
    out[i < 0 ? last : i].figures.push(f);
  }
  return out.filter((g) => g.figures.length > 0);
}

/** The figures shown as columns of the table by lower region. */
export const TABLE_KEYS = [
  'sites.stations',
  'coverage.rate',
  'volunteers.registered',
  'volunteers.active',
  'teams.total',
  'activities.total',
  'hours.total',
  'orders.submitted',
  'orders.satisfaction',
  'wishes.fulfilled',
  'points.issued',
] as const;

/** The figures of the 工作台. */
export const HOME_KEYS = [
  'volunteers.registered',
  'volunteers.active',
  'activities.total',
  'hours.total',
  'orders.submitted',
  'orders.satisfaction',
  'wishes.fulfilled',
  'points.issued',
] as const;

/** 1,234 / 87.5 (a rate is already in per cent); hours and points keep a decimal or two. */
export const figureText = (value: number | null | undefined, unit?: string): string =>
  formatNumber(value, unit === '%' ? 1 : 2);

export type PeriodPreset = 'month' | 'quarter' | 'year' | 'lastYear' | 'custom';
export const PERIOD_PRESETS: PeriodPreset[] = ['month', 'quarter', 'year', 'lastYear', 'custom'];

/** The days of a preset, up to today (China time); `custom` keeps the given range. */
export function presetRange(preset: PeriodPreset, now: number = Date.now()): [string, string] | null {
  const day = today(now);
  const y = Number(day.slice(0, 4));
  switch (preset) {
    case 'month':
      return [`${monthOf(now)}-01`, day];
    case 'quarter': {
      const m = Number(day.slice(5, 7));
      const first = Math.floor((m - 1) / 3) * 3 + 1;
      return [`${y}-${String(first).padStart(2, '0')}-01`, day];
    }
    case 'year':
      return [`${y}-01-01`, day];
    case 'lastYear':
      return [`${y - 1}-01-01`, `${y - 1}-12-31`];
    default:
      return null;
  }
}

/** Which preset a range is, so a link with from/to shows the right button. */
export function presetOf(from: string, to: string, now: number = Date.now()): PeriodPreset {
  for (const p of PERIOD_PRESETS) {
    const r = presetRange(p, now);
    if (r && r[0] === from && r[1] === to) return p;
  }
  return 'custom';
}

/** The twelve months up to this one: from the first day of the month eleven months ago to today. */
export function lastTwelveMonths(now: number = Date.now()): [string, string] {
  return [`${addMonths(monthOf(now), -11)}-01`, today(now)];
}

/** A day before `day`, for date pickers that must not pick the future. */
export const dayBefore = (day: string): string => addDays(day, -1);

/** The codes some rows carry in their 类型/状态/层级 column, shown by their names (web/common/labels.ts). */
export function detailLabel(key: string, detail: string, orderStates: LabelMap): string {
  const map: LabelMap | null = key.startsWith('activities.')
    ? activityTypeLabels
    : key.startsWith('teams.')
      ? teamLevelLabels
      : key.startsWith('wishes.')
        ? wishStateLabels
        : key === 'honors.published'
          ? honorKindLabels
          : key.startsWith('orders.') && key !== 'orders.satisfaction'
            ? orderStates
            : null;
  return map ? labelOf(map, detail, detail || '—') : detail || '—';
}

/** A small line chart of one key per month. */
export function trendOption(series: StatsSeries, key: string, color = '#c8161d'): EChartsCoreOption {
  const def = series.keys.find((k) => k.key === key);
  return {
    color: [color],
    grid: { left: 40, right: 12, top: 16, bottom: 24 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? `${figureText(v, def?.unit)} ${def?.unit ?? ''}` : '—'),
    },
    xAxis: {
      type: 'category',
      data: series.months.map((m) => `${Number(m.month.slice(5))}月`),
      axisLabel: { fontSize: 11 },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 11 }, splitNumber: 3 },
    series: [
      {
        name: def?.label ?? key,
        type: 'line',
        smooth: false,
        symbolSize: 5,
        areaStyle: { opacity: 0.08 },
        data: series.months.map((m) => m.values[key] ?? 0),
      },
    ],
  };
}
