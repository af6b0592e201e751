import type { EChartsCoreOption } from 'echarts/core';
import { formatPercent } from '../../../common/format';
import type { CoverageByRegion } from '../../api';
import { msg } from '../../locales/zh-CN';

const c = msg.coverage;
const percentTooltip = (v: unknown): string => (typeof v === 'number' ? formatPercent(v) : '—');

/** Bars for villages / with station / compliant per region, and the coverage rate as a line. */
export function coverageChartOption(rows: CoverageByRegion[]): EChartsCoreOption {
  // Per village the rates are only 0 or 100%; the bars say it all there.
  const showRates = rows.some((r) => r.villages > 1);
  const option = {
    color: ['#94a3b8', '#c8161d', '#16a34a', '#f59e0b', '#2563eb'],
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
    },
    legend: { top: 0 },
    grid: { left: 48, right: 56, top: 40, bottom: 60 },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.name),
      axisLabel: { interval: 0, rotate: rows.length > 10 ? 30 : 0 },
    },
    yAxis: [
      { type: 'value', name: c.villages, minInterval: 1 },
      {
        type: 'value',
        name: `${c.coverageRate} / ${c.complianceRate}`,
        min: 0,
        max: 1,
        axisLabel: { formatter: (v: number) => formatPercent(v, 0) },
        splitLine: { show: false },
      },
    ],
    series: [
      { name: c.series.villages, type: 'bar', data: rows.map((r) => r.villages), barMaxWidth: 18 },
      { name: c.series.withStation, type: 'bar', data: rows.map((r) => r.villagesWithStation), barMaxWidth: 18 },
      { name: c.series.compliant, type: 'bar', data: rows.map((r) => r.villagesCompliant), barMaxWidth: 18 },
      {
        name: c.coverageRate,
        type: 'line',
        yAxisIndex: 1,
        smooth: false,
        tooltip: { valueFormatter: percentTooltip },
        data: rows.map((r) => r.coverageRate),
      },
      {
        name: c.complianceRate,
        type: 'line',
        yAxisIndex: 1,
        smooth: false,
        tooltip: { valueFormatter: percentTooltip },
        data: rows.map((r) => r.complianceRate),
      },
    ],
  };
  if (!showRates) {
    option.series = option.series.slice(0, 3);
    option.yAxis = option.yAxis.slice(0, 1);
  }
  return option;
}

/** Towns can be opened to their villages; villages are the bottom. */
export const canDrill = (code: string): boolean => code.length <= 9;

export const coverageColumns = [
  { prop: 'villages', label: c.villages },
  { prop: 'villagesWithStation', label: c.villagesWithStation },
  { prop: 'villagesCompliant', label: c.villagesCompliant },
] as const;
