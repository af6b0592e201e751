/**
 * The big screen's data: one call (staff session, or a display link's token) and the ECharts options built from
 * the answer. Types come from the generated OpenAPI types; nothing here re-declares the answer's shape.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { api } from '../common/api';
import type { ApiResponse } from '../common/api-types';
import { formatNumber } from '../common/format';
import { RANK_LIMIT, msg } from './locales';

export type ScreenData = ApiResponse<'/api/v1/stats/screen', 'get'>;
export type Figure = ScreenData['figures'][number];
export type RankRow = ScreenData['ranking'][number];

/** The twelve totals across the top, in reading order. */
export const FIGURE_KEYS = [
  'volunteers.registered',
  'volunteers.verified',
  'volunteers.active',
  'teams.total',
  'activities.total',
  'activities.participants',
  'hours.total',
  'orders.submitted',
  'orders.satisfaction',
  'coverage.rate',
  'wishes.fulfilled',
  'points.issued',
];

export const RANK_METRICS = [
  'activities.total',
  'volunteers.registered',
  'hours.total',
  'orders.completed',
  'coverage.rate',
] as const;
export type RankMetric = (typeof RANK_METRICS)[number];

/** Reads the screen for a region: through the display link when there is a token, else with the session. */
export function loadScreen(token: string | null, regionCode: string | null): Promise<ScreenData> {
  const region = regionCode ?? undefined;
  if (token) return api.get('/public/screen', { token, regionCode: region }, { skipAuthHandler: true });
  return api.get('/stats/screen', { regionCode: region }, { skipAuthHandler: true });
}

export function figureText(f: Figure): string {
  return formatNumber(f.value, f.unit === '%' ? 1 : 0);
}

export function pickFigures(figures: Figure[]): Figure[] {
  return FIGURE_KEYS.map((k) => figures.find((f) => f.key === k)).filter((f): f is Figure => !!f);
}

// ---------- chart options (dark theme, sized for reading across a room) ----------

const TEXT = '#cfe3ff';
const AXIS = 'rgba(120, 170, 255, 0.35)';
const FONT = 18;
export const PALETTE = ['#ffb547', '#36d1dc', '#ff5b5b', '#7b8cff', '#4ade80'];

const axisLabel = { color: TEXT, fontSize: FONT };
const tooltip = { trigger: 'axis', textStyle: { fontSize: FONT }, confine: true };

/** One month-by-month line for a series key, the last 12 months. */
export function trendOption(data: ScreenData, key: string, name: string, color: string): EChartsCoreOption {
  return {
    animationDuration: 600,
    tooltip: { ...tooltip, valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, 1) : '—') },
    grid: { left: 64, right: 20, top: 24, bottom: 36 },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: data.series.map((s) => msg.months(s.month)),
      axisLabel: { ...axisLabel, fontSize: 16 },
      axisLine: { lineStyle: { color: AXIS } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      axisLabel: { ...axisLabel, fontSize: 16 },
      splitLine: { lineStyle: { color: 'rgba(120, 170, 255, 0.12)' } },
    },
    series: [
      {
        name,
        type: 'line',
        smooth: true,
        symbolSize: 8,
        lineStyle: { width: 3, color },
        itemStyle: { color },
        areaStyle: { color, opacity: 0.18 },
        data: data.series.map((s) => s.values[key] ?? 0),
      },
    ],
  };
}

/** The lower regions as horizontal bars, best first, for one metric. */
export function rankingOption(rows: RankRow[], metric: RankMetric): EChartsCoreOption {
  const sorted = [...rows].sort((a, b) => (b.values[metric] ?? 0) - (a.values[metric] ?? 0));
  const percent = metric === 'coverage.rate';
  // the best at the top: a category axis draws its first item at the bottom
  const shown = sorted.slice(0, RANK_LIMIT).reverse();
  return {
    animationDuration: 600,
    tooltip: {
      ...tooltip,
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, 1) + (percent ? '%' : '') : '—'),
    },
    grid: { left: 150, right: 90, top: 8, bottom: 8 },
    xAxis: { type: 'value', show: false, max: percent ? 100 : undefined },
    yAxis: {
      type: 'category',
      data: shown.map((r) => r.name),
      triggerEvent: true,
      axisLabel: { ...axisLabel, interval: 0, width: 140, overflow: 'truncate' },
      axisLine: { show: false },
      axisTick: { show: false },
    },
    series: [
      {
        name: msg.rankingMetrics[metric],
        type: 'bar',
        barMaxWidth: 22,
        cursor: 'pointer',
        data: shown.map((r) => ({ value: r.values[metric] ?? 0, code: r.code })),
        itemStyle: {
          borderRadius: [0, 11, 11, 0],
          color: {
            type: 'linear',
            x: 0,
            y: 0,
            x2: 1,
            y2: 0,
            colorStops: [
              { offset: 0, color: '#1d4ed8' },
              { offset: 1, color: '#36d1dc' },
            ],
          },
        },
        label: {
          show: true,
          position: 'right',
          color: '#ffffff',
          fontSize: FONT,
          formatter: (p: { value: number }) => formatNumber(p.value, 1) + (percent ? '%' : ''),
        },
      },
    ],
  };
}

/** 点单 → 派单 → 接单 → 完成 → 评价, each step's count on it. */
export function funnelOption(data: ScreenData): EChartsCoreOption {
  const max = Math.max(1, ...data.funnel.map((f) => f.value));
  return {
    animationDuration: 600,
    tooltip: { trigger: 'item', textStyle: { fontSize: FONT }, formatter: '{b}：{c}' },
    color: ['#ff5b5b', '#ff8a47', '#ffb547', '#36d1dc', '#4ade80'],
    series: [
      {
        name: msg.panels.funnel,
        type: 'funnel',
        sort: 'none',
        left: 20,
        right: 20,
        top: 10,
        bottom: 10,
        min: 0,
        max,
        minSize: '28%',
        gap: 4,
        label: {
          show: true,
          position: 'inside',
          color: '#ffffff',
          fontSize: 20,
          fontWeight: 'bold',
          formatter: (p: { name: string; value: number }) => `${p.name}  ${formatNumber(p.value)}`,
        },
        itemStyle: { borderWidth: 0 },
        data: data.funnel.map((f) => ({ name: f.label, value: f.value })),
      },
    ],
  };
}
