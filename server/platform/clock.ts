/** Time comes from a clock so that tests can move it (idle sessions, lockouts, time limits). */
export type Clock = { now: () => Date };
export const systemClock: Clock = { now: () => new Date() };
export class TestClock implements Clock {
  constructor(private t = new Date('2026-06-01T02:00:00Z')) {}
  now = () => new Date(this.t);
  advance(ms: number) { this.t = new Date(this.t.getTime() + ms); }
  set(d: Date) { this.t = new Date(d); }
}
