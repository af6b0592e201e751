/** Time comes from a clock so that tests can move it (idle sessions, lockouts, time limits). */
export type Clock = { now: () => Date };

/** Every county is on China time (UTC+8, no daylight saving): the calendar date of an instant, YYYY-MM-DD. */
export const chinaDate = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
/** The China-time date and minute of an instant, YYYY-MM-DD HH:mm. */
export const chinaMinute = (d: Date) =>
  new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
export const systemClock: Clock = { now: () => new Date() };
export class TestClock implements Clock {
  constructor(private t = new Date('2026-06-01T02:00:00Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
  set(d: Date) {
    this.t = new Date(d);
  }
}
