/** Working-day arithmetic on calendar dates (YYYY-MM-DD): Saturdays, Sundays and the configured holidays are skipped. */

const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);

export function isWorkingDay(d: string, holidays: ReadonlySet<string>): boolean {
  const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6 && !holidays.has(d);
}

/** The first working day strictly after `d`. */
export function nextWorkingDay(d: string, holidays: ReadonlySet<string>): string {
  let x = addDays(d, 1);
  for (let i = 0; i < 400 && !isWorkingDay(x, holidays); i++) x = addDays(x, 1);
  return x;
}

/** A notice that starts the working day after `approvedOn` and lasts `days` working days: its first and last day. */
export function noticePeriod(
  approvedOn: string,
  days: number,
  holidays: Iterable<string>,
): { start: string; end: string } {
  const h = new Set(holidays);
  const start = nextWorkingDay(approvedOn, h);
  let end = start;
  for (let i = 1; i < days; i++) end = nextWorkingDay(end, h);
  return { start, end };
}
