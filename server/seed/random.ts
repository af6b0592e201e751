/** A small seeded PRNG (mulberry32) so the demo county is the same on every machine. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    sample: <T>(xs: readonly T[], n: number): T[] => [...xs].sort(() => next() - 0.5).slice(0, n),
    chance: (p: number) => next() < p,
  };
}

const CHINA = 8 * 3600_000;
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * People do this work by day: a moment at night in China (21:00–07:59) moves forward to the next morning (08:00–
 * 09:59, spread by its own minutes, so the draw stays the same), and nothing is later than `latest` (the demo's now).
 */
export function byDay(at: Date | number, latest: Date): Date {
  let t = typeof at === 'number' ? at : at.getTime();
  const h = new Date(t + CHINA).getUTCHours();
  if (h < 8 || h >= 21) {
    const midnight = Math.floor((t + CHINA) / DAY) * DAY - CHINA;
    t = midnight + (h >= 21 ? DAY : 0) + 8 * HOUR + (Math.floor(t / 60_000) % 120) * 60_000;
  }
  return new Date(Math.min(t, latest.getTime() - 60_000));
}
