import { z } from 'zod';

/** Months are `YYYY-MM` in China time (UTC+8, where every county is); shared by plans, ledgers and submissions. */
export const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const monthSchema = z
  .string({ error: '请选择月份（YYYY-MM）' })
  .regex(MONTH_RE, '月份格式应为 YYYY-MM，如 2026-05')
  .refine((v) => {
    const y = Number(v.slice(0, 4));
    return y >= 1900 && y <= 2100;
  }, '月份应在 1900–2100 年之间');
export const yearSchema = z.coerce
  .number({ error: '年份应为数字' })
  .int('年份应为整数')
  .min(1900, '年份应在 1900–2100 之间')
  .max(2100, '年份应在 1900–2100 之间');

const CHINA_OFFSET_MS = 8 * 3600_000;

export type MonthRange = {
  year: number;
  month: number;
  label: string;
  from: Date;
  to: Date;
  firstDay: string;
  lastDay: string;
  days: number;
};

/** The instants [from, to) and the dates of a `YYYY-MM` month. */
export function monthRange(ym: string): MonthRange {
  const [y, m] = ym.split('-').map(Number);
  const from = new Date(Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS);
  const to = new Date(Date.UTC(y, m, 1) - CHINA_OFFSET_MS);
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, '0');
  return {
    year: y,
    month: m,
    label: `${y}年${m}月`,
    from,
    to,
    firstDay: `${y}-${mm}-01`,
    lastDay: `${y}-${mm}-${String(days).padStart(2, '0')}`,
    days,
  };
}

/** The calendar date (China time) of an instant. */
export const chinaDay = (d: Date) => new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
/** The `YYYY-MM` (China time) of an instant. */
export const chinaMonth = (d: Date) => chinaDay(d).slice(0, 7);
/** China-time "YYYY-MM-DD HH:mm" for spreadsheets. */
export const chinaDateTime = (d: Date | null | undefined) =>
  d ? new Date(d.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ') : '';
/** The month after a `YYYY-MM`. */
export function nextMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
