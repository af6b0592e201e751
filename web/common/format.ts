/** Numbers and percents the way Chinese readers expect them; dates come from time.ts (China time). */

const EMPTY = '—';

// Dates and times live in time.ts (China time); re-exported here for the pages that format both.
export {
  TIME_ZONE,
  formatDate,
  formatDateTime,
  isoDay,
  shanghaiDayBoundary,
  shanghaiParts,
  type ShanghaiParts,
} from './time';

const numberFormatter = new Intl.NumberFormat('zh-CN');

/** 12,345 */
export function formatNumber(value: number | null | undefined, maxFractionDigits?: number): string {
  if (value === null || value === undefined || Number.isNaN(value)) return EMPTY;
  if (maxFractionDigits === undefined) return numberFormatter.format(value);
  return new Intl.NumberFormat('zh-CN', { maximumFractionDigits: maxFractionDigits }).format(value);
}

/** A 0..1 ratio as 87.5% */
export function formatPercent(ratio: number | null | undefined, fractionDigits = 1): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return EMPTY;
  return new Intl.NumberFormat('zh-CN', {
    style: 'percent',
    minimumFractionDigits: 0,
    maximumFractionDigits: fractionDigits,
  }).format(ratio);
}

/** 1.2 MB */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return EMPTY;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024, 1)} KB`;
  return `${formatNumber(bytes / 1024 / 1024, 1)} MB`;
}
