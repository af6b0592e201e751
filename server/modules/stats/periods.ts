/**
 * A period of calendar days split into the rollups' grains: whole years as year rows, whole months as month rows,
 * the days left at either end as day rows. A year reads one row per key and region, a month one, any other period
 * at most 2 × 30 day rows and 2 × 11 month rows besides its years.
 */
export type Grain = 'd' | 'm' | 'y';
/** Rows of one grain whose period start lies in [first, last]. */
export type Segment = { grain: Grain; first: string; last: string };

const iso = (d: Date) => d.toISOString().slice(0, 10);
const parse = (s: string) => new Date(`${s}T00:00:00Z`);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** The first day the rollups know: a cumulative figure ("by the end of the period") starts here. */
export const EPOCH = '2000-01-01';

export function segments(from: string, to: string): Segment[] {
  const out: Segment[] = [];
  const push = (grain: Grain, start: Date) => {
    const last = out.at(-1);
    const s = iso(start);
    if (last && last.grain === grain) last.last = s;
    else out.push({ grain, first: s, last: s });
  };
  const end = parse(to);
  let cur = parse(from);
  while (cur <= end) {
    const y = cur.getUTCFullYear();
    const m = cur.getUTCMonth();
    const yearEnd = new Date(Date.UTC(y, 11, 31));
    const monthEnd = new Date(Date.UTC(y, m + 1, 0));
    if (m === 0 && cur.getUTCDate() === 1 && yearEnd <= end) {
      push('y', cur);
      cur = addDays(yearEnd, 1);
    } else if (cur.getUTCDate() === 1 && monthEnd <= end) {
      push('m', cur);
      cur = addDays(monthEnd, 1);
    } else {
      push('d', cur);
      cur = addDays(cur, 1);
    }
  }
  return out;
}

/** The days of a period, end included. */
export function daysIn(from: string, to: string) {
  return Math.round((parse(to).getTime() - parse(from).getTime()) / 86_400_000) + 1;
}

/** Calendar helpers for the report pages: the months of a year, a month's last day. */
export const monthEnd = (month: string) => {
  const d = parse(`${month}-01`);
  return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
};
