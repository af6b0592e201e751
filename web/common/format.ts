/** Dates, numbers and percents the way Chinese readers expect them, always in Asia/Shanghai time. */

export const TIME_ZONE = 'Asia/Shanghai';
const EMPTY = '—';

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export interface ShanghaiParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function shanghaiParts(value: string | number | Date): ShanghaiParts | null {
  const d = toDate(value);
  if (!d) return null;
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(partsFormatter.formatToParts(d).find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** 2026年11月22日 */
export function formatDate(value: string | number | Date | null | undefined): string {
  const d = toDate(value);
  const p = d && shanghaiParts(d);
  return p ? `${p.year}年${p.month}月${p.day}日` : EMPTY;
}

/** 2026年11月22日 14:05 */
export function formatDateTime(value: string | number | Date | null | undefined): string {
  const d = toDate(value);
  const p = d && shanghaiParts(d);
  return p ? `${p.year}年${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}` : EMPTY;
}

/** 2026-11-22, the Shanghai calendar day, for query parameters and date pickers. */
export function isoDay(value: string | number | Date | null | undefined): string {
  const d = toDate(value);
  const p = d && shanghaiParts(d);
  return p ? `${p.year}-${pad(p.month)}-${pad(p.day)}` : '';
}

/** The instant a Shanghai calendar day (YYYY-MM-DD) starts, or ends when `endOfDay`, as ISO 8601 with offset. */
export function shanghaiDayBoundary(day: string, endOfDay = false): string {
  return `${day}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}+08:00`;
}

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
