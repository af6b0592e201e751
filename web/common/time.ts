/**
 * China time, whatever the browser's zone: every date the apps show, take in or compute is an Asia/Shanghai
 * calendar day or wall-clock time. Instants travel as ISO 8601 text with an offset; a day as `YYYY-MM-DD`; what a
 * date widget shows as China wall-clock text (`YYYY-MM-DD HH:mm:ss`, the pickers' `value-format`), never as a `Date`
 * read in the browser's zone. China has no daylight saving time, so its offset is always +08:00.
 */

export const TIME_ZONE = 'Asia/Shanghai';
const OFFSET = '+08:00';
const OFFSET_MS = 8 * 3600_000;
const EMPTY = '—';

export interface ShanghaiParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export type Instant = string | number | Date;

function toDate(value: Instant | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The calendar and clock parts of an instant in China (read from UTC + 8 h, so no browser zone is involved). */
export function shanghaiParts(value: Instant): ShanghaiParts | null {
  const d = toDate(value);
  if (!d) return null;
  const s = new Date(d.getTime() + OFFSET_MS);
  return {
    year: s.getUTCFullYear(),
    month: s.getUTCMonth() + 1,
    day: s.getUTCDate(),
    hour: s.getUTCHours(),
    minute: s.getUTCMinutes(),
    second: s.getUTCSeconds(),
  };
}

// ---- showing ----

/** 2026年11月22日 */
export function formatDate(value: Instant | null | undefined): string {
  const p = toDate(value) && shanghaiParts(value as Instant);
  return p ? `${p.year}年${p.month}月${p.day}日` : EMPTY;
}

/** 2026年11月22日 14:05 */
export function formatDateTime(value: Instant | null | undefined): string {
  const p = toDate(value) && shanghaiParts(value as Instant);
  return p ? `${p.year}年${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}` : EMPTY;
}

/** 14:05 */
export function formatTime(value: Instant | null | undefined): string {
  const p = toDate(value) && shanghaiParts(value as Instant);
  return p ? `${pad(p.hour)}:${pad(p.minute)}` : '';
}

/** 11月22日 for a `YYYY-MM-DD` day */
export function formatMonthDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  return m ? `${Number(m[2])}月${Number(m[3])}日` : '';
}

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** 一 … 日: the weekday of a `YYYY-MM-DD` day */
export function weekdayOf(day: string): string {
  return WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()] ?? '';
}

/** 2026-05-04 → 2026年5月4日 (a calendar date as the API sends it, no zone shift); — when there is none. */
export function dayLabel(date: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date ?? '');
  return m ? `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日` : EMPTY;
}

/** 3月5日, or 2025年3月5日 outside the current year (China). */
export function shortDate(value: Instant | null | undefined, now: Instant = Date.now()): string {
  const p = toDate(value) && shanghaiParts(value as Instant);
  if (!p) return '';
  const n = shanghaiParts(now);
  return n && n.year === p.year ? `${p.month}月${p.day}日` : `${p.year}年${p.month}月${p.day}日`;
}

/** 5月4日（周一） and a key for the day, in China. */
function dayOfInstant(value: Instant): { label: string; key: string } | null {
  const p = shanghaiParts(value);
  if (!p) return null;
  const wd = WEEKDAYS[new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay()];
  return { label: `${p.month}月${p.day}日（周${wd}）`, key: `${p.year}-${p.month}-${p.day}` };
}

/**
 * 5月4日（周一）09:00–11:30, or over two days 5月4日（周一）09:00 – 5月5日（周二）17:00; the year only when not this
 * year.
 */
export function timeRange(startAt: Instant, endAt: Instant, now: Instant = Date.now()): string {
  const a = dayOfInstant(startAt);
  const b = dayOfInstant(endAt);
  if (!a || !b) return EMPTY;
  const sp = shanghaiParts(startAt);
  const np = shanghaiParts(now);
  const year = sp && np && sp.year !== np.year ? `${sp.year}年` : '';
  if (a.key === b.key) return `${year}${a.label} ${formatTime(startAt)}–${formatTime(endAt)}`;
  return `${year}${a.label} ${formatTime(startAt)} – ${b.label} ${formatTime(endAt)}`;
}

/** 09:00–11:30 for a shift on the activity's day, with the date when it is another day. */
export function shiftTime(startAt: Instant, endAt: Instant): string {
  const a = dayOfInstant(startAt);
  const b = dayOfInstant(endAt);
  if (!a || !b) return EMPTY;
  return a.key === b.key ? `${a.label} ${formatTime(startAt)}–${formatTime(endAt)}` : timeRange(startAt, endAt);
}

// ---- days ----

/** 2026-11-22, the China calendar day of an instant, for query parameters and date pickers. */
export function isoDay(value: Instant | null | undefined): string {
  const p = toDate(value) && shanghaiParts(value as Instant);
  return p ? `${p.year}-${pad(p.month)}-${pad(p.day)}` : '';
}

/** Today in China, `YYYY-MM-DD`. */
export function today(now: Instant = Date.now()): string {
  return isoDay(now);
}

/** The China year of an instant (now by default). */
export function yearOf(value: Instant = Date.now()): number {
  return shanghaiParts(value)?.year ?? new Date().getUTCFullYear();
}

/** `YYYY-MM` of an instant, or of a `YYYY-MM-DD` day. */
export function monthOf(value: Instant = Date.now()): string {
  return (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : isoDay(value)).slice(0, 7);
}

/** A `YYYY-MM-DD` day `n` days later (earlier when negative). */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A `YYYY-MM` month `n` months later (earlier when negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
}

/** 0 (Sunday) … 6: the weekday number of a `YYYY-MM-DD` day. */
export function weekdayNumber(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** The instant a China calendar day (YYYY-MM-DD) starts, or ends when `endOfDay`, as ISO 8601 with offset. */
export function shanghaiDayBoundary(day: string, endOfDay = false): string {
  return `${day}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}${OFFSET}`;
}

/** The instant a day starts (or ends), as a Date; null for a malformed day. */
export function dayStart(day: string, endOfDay = false): Date | null {
  return toDate(shanghaiDayBoundary(day, endOfDay));
}

// ---- wall-clock text for date widgets ----

/** An instant as China wall-clock text `YYYY-MM-DD HH:mm:ss`, what a date-time picker with that value-format shows. */
export function toWall(value: Instant | null | undefined): string {
  const p = toDate(value) && shanghaiParts(value as Instant);
  return p ? `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` : '';
}

/**
 * China wall-clock text (`YYYY-MM-DD`, `YYYY-MM-DD HH:mm` or `YYYY-MM-DD HH:mm:ss`) as the instant it names, ISO 8601
 * with +08:00; '' for empty or malformed text.
 */
export function fromWall(text: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec((text ?? '').trim());
  if (!m) return '';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${OFFSET}`;
}

/** Milliseconds since the epoch of China wall-clock text (NaN when malformed). */
export function wallTime(text: string | null | undefined): number {
  const iso = fromWall(text);
  return iso ? new Date(iso).getTime() : Number.NaN;
}

/**
 * A picker's cell (a `Date` Element Plus or Vant built in the browser's zone from the day it shows) as that day,
 * `YYYY-MM-DD`: the cell stands for a calendar day, not an instant.
 */
export function cellDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The `Date` a picker or calendar widget uses to show a `YYYY-MM-DD` day (its local midnight). */
export function dayCell(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

/** Whether a picker's cell lies after today in China (for `disabled-date`). */
export function isAfterToday(cell: Date, now: Instant = Date.now()): boolean {
  return cellDay(cell) > today(now);
}

/** Whether a picker's cell lies before today in China. */
export function isBeforeToday(cell: Date, now: Instant = Date.now()): boolean {
  return cellDay(cell) < today(now);
}

/** Whole years from a `YYYY-MM-DD` birth date to China's today (or `on`). */
export function yearsSince(birthDate: string, on: Instant = Date.now()): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  const p = shanghaiParts(on);
  if (!m || !p) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = p.year - y;
  if (p.month < mo || (p.month === mo && p.day < d)) age--;
  return age;
}

/** The `value-format` of date-time pickers: they then hold China wall-clock text, not a browser-zone `Date`. */
export const WALL_FORMAT = 'YYYY-MM-DD HH:mm:ss';
/** A date-time range as two wall-clock texts; they compare in time order as text. */
export type WallRange = [string, string];

/** The `Date` a picker uses to show wall-clock text (the same clock reading in the browser's zone). */
export function wallCell(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return new Date(Number.NaN);
  return new Date(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}
