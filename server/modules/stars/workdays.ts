import { HolidayUtil } from 'lunar-typescript';

/**
 * Working days on calendar dates (YYYY-MM-DD), as the State Council publishes them: the official holidays and the
 * make-up working days (调休, e.g. a Sunday worked before National Day) come from lunar-typescript's holiday data;
 * a county adds its own days off (`holidays` setting) and working days (`workdays` setting) on top. Order of
 * precedence: the county's holidays, the county's working days, the official calendar, then Saturday and Sunday off.
 * A year the library has no data for yet (it is published each November) counts weekends only, until the county
 * enters that year's days or the package is updated.
 */
export type WorkCalendar = {
  /** Extra days off of the county (本县额外放假日期). */
  holidays?: Iterable<string>;
  /** Extra working days of the county (本县额外上班日期). */
  workdays?: Iterable<string>;
};

type Overrides = { holidays: ReadonlySet<string>; workdays: ReadonlySet<string> };
const overrides = (c: WorkCalendar = {}): Overrides => ({
  holidays: new Set(c.holidays ?? []),
  workdays: new Set(c.workdays ?? []),
});

const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);

/** The official entry of a date: a public holiday (`work: false`), a make-up working day (`work: true`), or none. */
export function officialDay(d: string): { name: string; work: boolean } | null {
  const h = HolidayUtil.getHoliday(d);
  return h ? { name: h.getName(), work: h.isWork() } : null;
}

/** Whether the holiday data knows the year's official calendar. */
export const hasOfficialCalendar = (year: number) => HolidayUtil.getHolidays(year).length > 0;

function working(d: string, o: Overrides): boolean {
  if (o.holidays.has(d)) return false;
  if (o.workdays.has(d)) return true;
  const official = officialDay(d);
  if (official) return official.work;
  const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

export const isWorkingDay = (d: string, calendar?: WorkCalendar) => working(d, overrides(calendar));

function nextWorking(d: string, o: Overrides): string {
  let x = addDays(d, 1);
  for (let i = 0; i < 400 && !working(x, o); i++) x = addDays(x, 1);
  return x;
}

/** The first working day strictly after `d`. */
export const nextWorkingDay = (d: string, calendar?: WorkCalendar) => nextWorking(d, overrides(calendar));

/** A notice that starts the working day after `approvedOn` and lasts `days` working days: its first and last day. */
export function noticePeriod(
  approvedOn: string,
  days: number,
  calendar?: WorkCalendar,
): { start: string; end: string } {
  const o = overrides(calendar);
  const start = nextWorking(approvedOn, o);
  let end = start;
  for (let i = 1; i < days; i++) end = nextWorking(end, o);
  return { start, end };
}
